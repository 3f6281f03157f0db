import { describe, expect, test } from "vitest";
import { parseArgs, toRpcError } from "./schema-engine-bridge.mjs";

describe("schema engine bridge", () => {
  test("parses the CLI's arguments for RPC mode and one-shot commands", () => {
    expect(
      parseArgs(["--datamodels", "a.prisma", "--datamodels", "b.prisma", "--datasource", '{"url":"postgresql://h/db"}']),
    ).toMatchObject({ datamodels: ["a.prisma", "b.prisma"], datasource: { url: "postgresql://h/db" }, command: undefined });
    expect(parseArgs(["--datasource", '{"url":"postgresql://h/db"}', "cli", "create-database"])).toMatchObject({
      command: "create-database",
    });
  });

  test("passes the engine's user-facing error through with its code", () => {
    const error = toRpcError(
      new Error(JSON.stringify({ message: "Database does not exist", error_code: "P1003", is_panic: false })),
    );
    expect(error).toEqual({
      code: 4466,
      message: "An error happened. Check the data field for details.",
      data: { is_panic: false, message: "Database does not exist", error_code: "P1003", meta: undefined },
    });
  });

  test("marks Wasm traps as panics", () => {
    const trap = new WebAssembly.RuntimeError("unreachable");
    expect(toRpcError(trap).data.is_panic).toBe(true);
  });
});
