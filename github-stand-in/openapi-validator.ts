/**
 * Validates requests and responses against the extracted subset of GitHub's OpenAPI description.
 * The description is OpenAPI 3.0, so schemas are translated for ajv: `nullable` becomes a null
 * branch, and `oneOf` becomes `anyOf` because several of GitHub's `oneOf`s have branches a
 * valid document satisfies more than once (they cannot be told apart).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// ajv-formats is CommonJS; depending on the loader its default import is the plugin or a namespace.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin =
  typeof addFormatsModule === "function" ? addFormatsModule : (addFormatsModule as unknown as { default: FormatsPlugin }).default;

const DOC_ID = "gh";

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** OpenAPI 3.0 schema → JSON Schema ajv understands; `$ref`s point into the registered document. */
export function toJsonSchema(value: Json): Json {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "$ref" && typeof child === "string") out.$ref = child.startsWith("#/") ? `${DOC_ID}${child}` : child;
    else if (key === "oneOf") out.anyOf = toJsonSchema(child);
    else if (key === "nullable" || key === "discriminator" || key === "xml" || key === "externalDocs" || key.startsWith("x-"))
      continue;
    else if (key === "properties" && isObject(child)) {
      const props: JsonObject = {};
      for (const [name, schema] of Object.entries(child)) props[name] = toJsonSchema(schema);
      out.properties = props;
    } else out[key] = toJsonSchema(child);
  }
  if (value.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

export interface Violation {
  operationId: string;
  phase: "request" | "response" | "webhook";
  status?: number;
  detail: string;
}

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Json;
}

interface Operation {
  operationId: string;
  method: string;
  template: string;
  parameters: Parameter[];
  body?: ValidateFunction;
  bodyRequired: boolean;
  query?: ValidateFunction;
  responses: Map<string, ValidateFunction | null>;
}

const here = dirname(fileURLToPath(import.meta.url));

export function loadSubset(): JsonObject {
  return JSON.parse(readFileSync(join(here, "openapi", "api.github.com.subset.json"), "utf8")) as JsonObject;
}

export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly coercing: Ajv;
  private readonly components: JsonObject;
  private readonly operations = new Map<string, Operation>();
  private readonly webhooks = new Map<string, ValidateFunction>();
  readonly sourceVersion: string;

  constructor(spec: JsonObject = loadSubset()) {
    const components = spec.components;
    if (!isObject(components)) throw new Error("subset has no components");
    this.components = components;
    const info = spec.info;
    const source = isObject(info) ? info["x-source"] : undefined;
    this.sourceVersion = isObject(source) && typeof source.version === "string" ? source.version : "unknown";
    const doc = { $id: DOC_ID, components: toJsonSchema(components) };
    const make = (coerce: boolean): Ajv => {
      const ajv = new Ajv({ strict: false, allErrors: false, coerceTypes: coerce, validateFormats: true });
      addFormats(ajv);
      // Formats GitHub uses that ajv-formats does not know.
      ajv.addFormat("repo.nwo", /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
      ajv.addFormat("timestamp", true);
      ajv.addSchema(doc);
      return ajv;
    };
    this.ajv = make(false);
    this.coercing = make(true);

    const paths = spec.paths;
    if (isObject(paths)) {
      for (const [template, item] of Object.entries(paths)) {
        if (!isObject(item)) continue;
        for (const [method, op] of Object.entries(item)) {
          if (isObject(op) && typeof op.operationId === "string")
            this.operations.set(op.operationId, this.compileOperation(template, method, op));
        }
      }
    }
    const hooks = spec["x-webhooks"];
    if (isObject(hooks)) {
      for (const [name, hook] of Object.entries(hooks)) {
        const schema = this.bodySchema(isObject(hook) && isObject(hook.post) ? hook.post.requestBody : null);
        if (schema !== undefined) this.webhooks.set(name, this.ajv.compile(toJsonSchema(schema) as object));
      }
    }
  }

  private deref(value: Json | undefined): Json | undefined {
    let current = value;
    for (let i = 0; i < 5 && isObject(current) && typeof current.$ref === "string"; i++) {
      const m = /^#\/components\/([^/]+)\/(.+)$/.exec(current.$ref);
      const group = m ? this.components[m[1] ?? ""] : undefined;
      current = isObject(group) ? group[m?.[2] ?? ""] : undefined;
    }
    return current;
  }

  private bodySchema(body: Json | undefined): Json | undefined {
    const resolved = this.deref(body);
    if (!isObject(resolved) || !isObject(resolved.content)) return undefined;
    const json = resolved.content["application/json"];
    return isObject(json) ? json.schema : undefined;
  }

  private compileOperation(template: string, method: string, op: JsonObject): Operation {
    const parameters = (Array.isArray(op.parameters) ? op.parameters : [])
      .map((p) => this.deref(p))
      .filter(isObject)
      .map((p) => p as unknown as Parameter);
    const queryParams = parameters.filter((p) => p.in === "query" || p.in === "path");
    const querySchema = {
      type: "object",
      properties: Object.fromEntries(queryParams.map((p) => [p.name, toJsonSchema(p.schema ?? {})])),
      required: queryParams.filter((p) => p.required).map((p) => p.name),
    };
    const operation: Operation = {
      operationId: String(op.operationId),
      method: method.toUpperCase(),
      template,
      parameters,
      bodyRequired: isObject(this.deref(op.requestBody)) && (this.deref(op.requestBody) as JsonObject).required === true,
      query: this.coercing.compile(querySchema),
      responses: new Map(),
    };
    const body = this.bodySchema(op.requestBody);
    if (body !== undefined) operation.body = this.ajv.compile(toJsonSchema(body) as object);
    if (isObject(op.responses)) {
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = this.bodySchema(response);
        operation.responses.set(status, schema === undefined ? null : this.ajv.compile(toJsonSchema(schema) as object));
      }
    }
    return operation;
  }

  has(operationId: string): boolean {
    return this.operations.has(operationId);
  }

  /** Path and query parameters (as strings, coerced by the schema) and the JSON body. */
  validateRequest(operationId: string, params: Record<string, string>, body: unknown): string | undefined {
    const op = this.operations.get(operationId);
    if (!op) return `operation ${operationId} is not in the extracted description`;
    const copy: Record<string, unknown> = { ...params };
    if (op.query && !op.query(copy)) return `parameters: ${this.coercing.errorsText(op.query.errors)}`;
    if (op.body) {
      if (body === undefined) return op.bodyRequired ? "request body required" : undefined;
      if (!op.body(body)) return `body: ${this.ajv.errorsText(op.body.errors)}`;
    }
    return undefined;
  }

  validateResponse(operationId: string, status: number, body: unknown): string | undefined {
    const op = this.operations.get(operationId);
    if (!op) return `operation ${operationId} is not in the extracted description`;
    // Conditional requests answer 304 for any GET; GitHub documents it only on some operations.
    if (status === 304) return undefined;
    const validate = op.responses.get(String(status));
    if (validate === undefined) {
      // 401 and rate-limit 403/429 apply to every operation, documented or not.
      if (status === 401 || status === 403 || status === 429) return undefined;
      return `status ${status} is not documented for ${operationId}`;
    }
    if (validate === null || body === undefined) return undefined;
    if (!validate(body)) return `${status} body: ${this.ajv.errorsText(validate.errors)}`;
    return undefined;
  }

  validateWebhook(name: string, payload: unknown): string | undefined {
    const validate = this.webhooks.get(name);
    if (!validate) return `webhook ${name} is not in the extracted description`;
    return validate(payload) ? undefined : this.ajv.errorsText(validate.errors);
  }
}
