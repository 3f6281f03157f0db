/**
 * Builds public/favicon.ico and public/apple-touch-icon.png from the Ladder mark in app/icon.svg, so
 * the three icons a browser may pick show one picture. Chromium (the Debian build the browser tests
 * use, e2e/support/chromium.ts) rasterises the SVG onto a canvas at each exact size; nothing here
 * resamples pixels. Rerun after changing app/icon.svg, and commit the two files it writes:
 *
 *   npx tsx docs/make-icons.ts
 *
 * test/unit/public-files.test.ts checks that the results are real PNG and ICO files of these sizes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { chromiumArgs, chromiumExecutable } from "../e2e/support/chromium";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** 16 and 32 for tabs and bookmarks, 48 for Windows' site tiles; browsers pick the nearest. */
const FAVICON_SIZES = [16, 32, 48] as const;
/** What iOS asks for on a current iPhone; it scales this one for every other device. */
const APPLE_TOUCH_SIZE = 180;

/**
 * An ICO file whose images are PNGs, which every browser since Windows Vista's era reads. Each
 * directory entry gives the size (0 means 256), 1 plane, 32 bits per pixel, and where its PNG lies.
 */
function icoFromPngs(images: readonly { size: number; png: Buffer }[]): Buffer {
  const directory = Buffer.alloc(6 + 16 * images.length);
  directory.writeUInt16LE(0, 0); // reserved
  directory.writeUInt16LE(1, 2); // 1 = icon (2 would be a cursor)
  directory.writeUInt16LE(images.length, 4);
  let offset = directory.length;
  images.forEach(({ size, png }, i) => {
    if (size < 1 || size > 256) throw new Error(`an ICO image is 1 to 256 pixels wide, not ${size}`);
    const entry = 6 + 16 * i;
    directory.writeUInt8(size % 256, entry);
    directory.writeUInt8(size % 256, entry + 1);
    directory.writeUInt8(0, entry + 2); // no palette
    directory.writeUInt8(0, entry + 3); // reserved
    directory.writeUInt16LE(1, entry + 4);
    directory.writeUInt16LE(32, entry + 6);
    directory.writeUInt32LE(png.length, entry + 8);
    directory.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([directory, ...images.map((image) => image.png)]);
}

/**
 * iOS rounds the corners itself and fills transparent pixels with black, so its icon is the mark
 * on a full square: the same SVG without the background's corner radius.
 */
function fullBleed(svg: string): string {
  const square = svg.replace(/(<rect\b[^>]*?)\s+rx="[^"]*"/, "$1");
  if (square === svg) throw new Error("app/icon.svg has no rounded background <rect rx=…> to square off");
  return square;
}

async function main(): Promise<void> {
  const svg = readFileSync(path.join(ROOT, "app", "icon.svg"), "utf8");
  const browser = await chromium.launch({ executablePath: chromiumExecutable, args: chromiumArgs });
  try {
    const page = await browser.newPage();
    const render = async (source: string, size: number): Promise<Buffer> => {
      const dataUrl = await page.evaluate(
        async ({ source, size }) => {
          const image = new Image(size, size);
          image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(source)}`;
          await image.decode();
          const canvas = document.createElement("canvas");
          canvas.width = size;
          canvas.height = size;
          const context = canvas.getContext("2d");
          if (!context) throw new Error("no 2D canvas");
          // Drawn at the target size, the vector is rasterised there, not scaled from a bigger bitmap.
          context.drawImage(image, 0, 0, size, size);
          return canvas.toDataURL("image/png");
        },
        { source, size },
      );
      return Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ""), "base64");
    };

    const favicons: { size: number; png: Buffer }[] = [];
    for (const size of FAVICON_SIZES) favicons.push({ size, png: await render(svg, size) });
    writeFileSync(path.join(ROOT, "public", "favicon.ico"), icoFromPngs(favicons));
    console.log(`wrote public/favicon.ico (${FAVICON_SIZES.join(", ")} px)`);

    writeFileSync(path.join(ROOT, "public", "apple-touch-icon.png"), await render(fullBleed(svg), APPLE_TOUCH_SIZE));
    console.log(`wrote public/apple-touch-icon.png (${APPLE_TOUCH_SIZE} px)`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
