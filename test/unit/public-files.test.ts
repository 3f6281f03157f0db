/**
 * public/ holds what a browser or crawler fetches from Ladder by fixed URL. The files must be what
 * their names say (a truncated or mislabelled icon fails silently in a browser), reachable without
 * a session, and must not collide with Next's own file conventions in app/.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isPublicPath } from "@/lib/auth/routes";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PUBLIC = path.join(ROOT, "public");
const read = (name: string): Buffer => readFileSync(path.join(PUBLIC, name));

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width, height and colour type from a PNG's IHDR, which the format requires to be the first chunk. */
function pngHeader(png: Buffer): { width: number; height: number; colorType: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE), "PNG signature").toBe(true);
  expect(png.readUInt32BE(8), "IHDR length").toBe(13);
  expect(png.toString("latin1", 12, 16)).toBe("IHDR");
  expect(png.toString("latin1", png.length - 8, png.length - 4), "ends with IEND").toBe("IEND");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colorType: png.readUInt8(25) };
}

describe("public/", () => {
  it("apple-touch-icon.png is a 180×180 PNG", () => {
    expect(pngHeader(read("apple-touch-icon.png"))).toMatchObject({ width: 180, height: 180 });
  });

  it("favicon.ico is an ICO of square PNG images at 16, 32 and 48 pixels", () => {
    const ico = read("favicon.ico");
    expect(ico.readUInt16LE(0), "reserved").toBe(0);
    expect(ico.readUInt16LE(2), "type 1 is an icon").toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const size = ico.readUInt8(entry) || 256;
      expect(ico.readUInt8(entry + 1) || 256, "square").toBe(size);
      const length = ico.readUInt32LE(entry + 8);
      const offset = ico.readUInt32LE(entry + 12);
      expect(offset + length, "image inside the file").toBeLessThanOrEqual(ico.length);
      // The directory's size must match the image's own, or browsers pick the wrong one.
      expect(pngHeader(ico.subarray(offset, offset + length))).toMatchObject({ width: size, height: size });
      sizes.push(size);
    }
    expect(sizes).toEqual([16, 32, 48]);
  });

  it("robots.txt keeps every crawler out: an internal dashboard is not for search engines", () => {
    expect(read("robots.txt").toString("utf8")).toBe("User-agent: *\nDisallow: /\n");
  });

  it("every file in it is reachable without signing in (proxy.ts sends anything else to sign-in)", () => {
    const files = readdirSync(PUBLIC, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const url = `/${path.relative(PUBLIC, path.join(file.parentPath, file.name)).split(path.sep).join("/")}`;
      expect(isPublicPath(url), url).toBe(true);
    }
  });

  it("duplicates none of Next's app/ file conventions (public/favicon.ico beside app/favicon.ico fails the build)", () => {
    for (const name of ["favicon.ico", "apple-icon.png", "robots.txt", "robots.ts"])
      expect(existsSync(path.join(ROOT, "app", name)), `app/${name}`).toBe(false);
  });
});
