import { describe, expect, it } from "vitest";
import { editYaml } from "./yaml-edit";

describe("editYaml delete", () => {
  it("removes a key's own line and keeps every other byte", () => {
    const text = 'images:\n  - name: a # the api\n    newTag: "1.2" # old\n    digest: sha256:x\n# end\n';
    expect(editYaml(text, { op: "delete", path: ["images", 0, "newTag"] })).toEqual({
      text: "images:\n  - name: a # the api\n    digest: sha256:x\n# end\n",
      minimal: true,
    });
  });

  it("removes the last line of a file without a final newline", () => {
    expect(editYaml("a: 1\nb: 2", { op: "delete", path: ["b"] }).text).toBe("a: 1\n");
  });

  it("is a no-op for a key that is not there", () => {
    expect(editYaml("a: 1\n", { op: "delete", path: ["b"] })).toEqual({ text: "a: 1\n", minimal: true });
  });

  it("falls back to the re-serialised document for a flow mapping (still correct)", () => {
    const r = editYaml("image: {tag: 1, digest: x}\n", { op: "delete", path: ["image", "tag"] });
    expect(r.minimal).toBe(false);
    expect(r.text).toBe("image: { digest: x }\n");
  });
});
