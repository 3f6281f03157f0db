/** Entry point of `npm start` and `npm run dev` (see serve.ts). */
import { StartupError, serve } from "./serve";

const mode = process.argv.includes("--dev") ? "dev" : "start";

try {
  const ladder = await serve({ mode });
  console.log(`ladder: serving on ${ladder.url}`);
  let signalled = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (signalled) return;
      signalled = true;
      console.log("ladder: stopping…");
      void ladder.stop().then(() => process.exit(0));
    });
  }
  const code = await ladder.exited;
  if (!signalled) {
    await ladder.stop();
    process.exit(code);
  }
} catch (error) {
  if (error instanceof StartupError) {
    console.error(`ladder: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
