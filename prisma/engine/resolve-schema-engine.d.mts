export declare const bridgePath: string;
export declare function findNativeEngine(): string | undefined;
export declare function resolveSchemaEngine(env?: Record<string, string | undefined>): {
  kind: "user" | "native" | "bridge";
  path: string;
};
