export declare function parseArgs(argv: string[]): {
  datamodels: string[];
  datasource: { url?: string; shadowDatabaseUrl?: string } | undefined;
  command: string | undefined;
  previewFeatures: string[];
};
export declare function checkEngineVersion(): void;
export declare function toRpcError(error: unknown): {
  code: number;
  message: string;
  data: { is_panic: boolean; message: string; error_code?: string; meta?: unknown };
};
