import { describe, expect, it } from "vitest";
import { csvField, csvRow, toCsv } from "./csv";

describe("csv", () => {
  it("leaves plain fields alone and renders empty for null", () => {
    expect(csvRow(["api", 3, true, null, undefined, "sha256:abc"])).toBe("api,3,true,,,sha256:abc");
  });

  it("quotes commas, quotes, line breaks and edge spaces, doubling quotes", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line1\nline2")).toBe('"line1\nline2"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
    expect(csvField(" padded ")).toBe('" padded "');
  });

  it("neutralises formula starts in strings (CSV injection), not in numbers", () => {
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-cmd")).toBe("'-cmd");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("=a,b")).toBe(`"'=a,b"`);
    expect(csvField(-5)).toBe("-5");
  });

  it("writes a header and CRLF-terminated rows", () => {
    const out = toCsv(
      [
        { header: "name", value: (r: { n: string; v: number }) => r.n },
        { header: "value", value: (r: { n: string; v: number }) => r.v },
      ],
      [
        { n: "x", v: 1 },
        { n: "y,z", v: 2 },
      ],
    );
    expect(out).toBe('name,value\r\nx,1\r\n"y,z",2\r\n');
  });

  it("round-trips through a strict RFC 4180 reader", () => {
    const values = ['a "quoted", value', "multi\r\nline", "", "plain", "ünïcödé"];
    const line = csvRow(values);
    const parsed: string[] = [];
    let i = 0;
    while (i <= line.length) {
      if (line[i] === '"') {
        let v = "";
        i++;
        while (i < line.length) {
          if (line[i] === '"' && line[i + 1] === '"') {
            v += '"';
            i += 2;
          } else if (line[i] === '"') {
            i++;
            break;
          } else v += line[i++];
        }
        parsed.push(v);
        i++;
      } else {
        const end = line.indexOf(",", i);
        parsed.push(line.slice(i, end < 0 ? line.length : end));
        i = end < 0 ? line.length + 1 : end + 1;
      }
    }
    expect(parsed).toEqual(values);
  });
});
