import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Prisma's DMMF (the parsed schema: models, @map names, ids, uniques, indexes, relations) for a
 * schema file, computed offline by the prisma-schema WASM module that ships inside the `prisma`
 * CLI package — the same call `prisma generate` makes. The generated client only carries a
 * stripped runtime model (no nullability, indexes or native types), so the drift test needs this.
 *
 * The few lines of wasm-bindgen glue mirror the CLI's own (prisma/build/cli.js); if a Prisma
 * upgrade changes the module's imports, instantiation fails loudly here.
 */
export interface DmmfField {
  readonly name: string;
  /** Absent when the field has no @map. */
  readonly dbName?: string | null;
  readonly kind: "scalar" | "object" | "enum" | "unsupported";
  readonly type: string;
  readonly isRequired: boolean;
  readonly isList: boolean;
  readonly isId: boolean;
  readonly isUnique: boolean;
  readonly hasDefaultValue: boolean;
  readonly isUpdatedAt: boolean;
  readonly nativeType?: [string, string[]] | null;
  readonly relationFromFields?: string[];
  readonly relationToFields?: string[];
  readonly relationOnDelete?: string;
  readonly relationOnUpdate?: string;
}

export interface DmmfModel {
  readonly name: string;
  /** Absent when the model has no @@map. */
  readonly dbName?: string | null;
  readonly fields: readonly DmmfField[];
  readonly primaryKey: { readonly name: string | null; readonly fields: string[] } | null;
  readonly uniqueFields: readonly string[][];
  readonly uniqueIndexes: readonly { readonly name: string | null; readonly fields: string[] }[];
}

export interface DmmfIndex {
  readonly model: string;
  readonly type: "id" | "normal" | "unique" | "fulltext";
  /** Absent when the index has no map: argument (Prisma then derives the name). */
  readonly dbName?: string | null;
  readonly fields: readonly { readonly name: string }[];
}

export interface Dmmf {
  readonly datamodel: {
    readonly models: readonly DmmfModel[];
    readonly indexes: readonly DmmfIndex[];
  };
}

interface SchemaWasm {
  memory: WebAssembly.Memory;
  __wbindgen_externrefs: WebAssembly.Table;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_realloc(ptr: number, oldSize: number, newSize: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  __externref_table_dealloc(index: number): void;
  __wbindgen_start(): void;
  get_dmmf(ptr: number, len: number): [number, number, number, number];
}

let instance: SchemaWasm | undefined;

function schemaWasm(): SchemaWasm {
  if (instance) return instance;
  const require = createRequire(import.meta.url);
  const wasmPath = path.join(path.dirname(require.resolve("prisma/package.json")), "build", "prisma_schema_build_bg.wasm");
  const text = (ptr: number, len: number) => new TextDecoder().decode(new Uint8Array(exports.memory.buffer, ptr, len));
  const imports = {
    __wbindgen_placeholder__: {
      __wbg_Error_e83987f665cf5504: (ptr: number, len: number) => new Error(text(ptr, len)),
      __wbg___wbindgen_throw_b855445ff6a94295: (ptr: number, len: number) => {
        throw new Error(text(ptr, len));
      },
      __wbg_set_message_f22ac4a6869ee695: (ptr: number, len: number) => {
        panicMessage = text(ptr, len);
      },
      __wbindgen_init_externref_table: () => {
        const table = exports.__wbindgen_externrefs;
        const at = table.grow(4);
        table.set(0, undefined);
        table.set(at + 0, undefined);
        table.set(at + 1, null);
        table.set(at + 2, true);
        table.set(at + 3, false);
      },
    },
  };
  let panicMessage = "";
  const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
  const exports = new WebAssembly.Instance(module, imports).exports as unknown as SchemaWasm;
  exports.__wbindgen_start();
  instance = exports;
  return exports;
}

export function getDmmf(schemaPath: string): Dmmf {
  const wasm = schemaWasm();
  const input = new TextEncoder().encode(JSON.stringify({ prismaSchema: fs.readFileSync(schemaPath, "utf8"), noColor: true }));
  const ptr = wasm.__wbindgen_malloc(input.length, 1);
  new Uint8Array(wasm.memory.buffer, ptr, input.length).set(input);
  const [outPtr, outLen, errIndex, failed] = wasm.get_dmmf(ptr, input.length);
  if (failed) {
    const error = wasm.__wbindgen_externrefs.get(errIndex) as Error;
    wasm.__externref_table_dealloc(errIndex);
    throw error;
  }
  try {
    return JSON.parse(new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, outPtr, outLen))) as Dmmf;
  } finally {
    wasm.__wbindgen_free(outPtr, outLen, 1);
  }
}
