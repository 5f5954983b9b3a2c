import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

/**
 * The pure core's rule (STYLE.md "Who may import whom"): `events/`, `src/domain/` and
 * `src/policy/` import nothing with I/O and read no clock and no randomness — time, ids and the
 * actor come in with the command's metadata, so deciding and evaluating replay the same way
 * every time. This walks the import graph from every file there with the TypeScript parser,
 * following relative imports (type-only ones too: the core must not lean on the layers above
 * it) wherever they lead, and reports each violation with the chain of imports that reached it.
 */

/** Packages the core may use: pure computation only. A new one is added here with its reason. */
const purePackages = new Map([["zod", "schema validation, no I/O"]]);

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly what: string;
  /** The pure files that led here, root first (empty when the file is itself a root). */
  readonly via: readonly string[];
}

export type ReadSource = (file: string) => string | undefined;

export const readFromDisk: ReadSource = (file) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);

/** Every .ts file under the given directories (not .d.ts). */
export function sourceFiles(dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) =>
    (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
      .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
      .map((e) => path.join(e.parentPath, e.name)),
  );
}

export function findImpurities(roots: readonly string[], read: ReadSource = readFromDisk): Violation[] {
  const violations: Violation[] = [];
  const seen = new Set<string>();
  const queue: { file: string; via: string[] }[] = roots.map((file) => ({ file: path.resolve(file), via: [] }));
  while (queue.length > 0) {
    const { file, via } = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = read(file);
    if (text === undefined) {
      violations.push({ file: via.at(-1) ?? file, line: 0, what: `imports ${file}, which does not exist`, via });
      continue;
    }
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const report = (node: ts.Node, what: string) =>
      violations.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, what, via });
    const onSpecifier = (node: ts.Node, specifier: string) => {
      if (specifier.startsWith(".")) {
        const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts"));
        if (target.split(path.sep).includes("generated")) report(node, `imports generated code (${specifier}): the Prisma client`);
        else if (target.endsWith(".ts")) queue.push({ file: target, via: [...via, file] });
        else if (!target.endsWith(".json")) report(node, `imports ${specifier}, which this check cannot follow`);
        return;
      }
      const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
      if (specifier.startsWith("node:") || isBuiltin(pkg)) report(node, `imports the Node built-in ${specifier} (I/O, clocks or randomness)`);
      else if (!purePackages.has(pkg)) report(node, `imports ${specifier}, which is not on the list of pure packages (test/architecture/purity.ts)`);
    };
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        onSpecifier(node, node.moduleSpecifier.text);
      } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
        onSpecifier(node, node.moduleReference.expression.text);
      } else if (ts.isCallExpression(node)) {
        const callee = node.expression.getText(source);
        const [arg] = node.arguments;
        if (node.expression.kind === ts.SyntaxKind.ImportKeyword || callee === "require") {
          if (arg && ts.isStringLiteralLike(arg)) onSpecifier(node, arg.text);
          else report(node, `loads a module chosen at run time (${callee})`);
        } else if (impureCalls.has(callee)) report(node, `calls ${callee}() (${impureCalls.get(callee)})`);
        else if (callee === "Date") report(node, "calls Date() (reads the clock)");
      } else if (ts.isNewExpression(node) && node.expression.getText(source) === "Date" && (node.arguments?.length ?? 0) === 0) {
        report(node, "calls new Date() without arguments (reads the clock)");
      } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && impureGlobals.has(node.expression.text)) {
        report(node, `uses ${node.getText(source)} (${impureGlobals.get(node.expression.text)})`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return violations;
}

const impureCalls = new Map([
  ["Date.now", "reads the clock"],
  ["performance.now", "reads the clock"],
  ["Math.random", "randomness"],
  ["randomUUID", "randomness"],
  ["crypto.randomUUID", "randomness"],
  ["crypto.getRandomValues", "randomness"],
  ["fetch", "network I/O"],
  ["setTimeout", "the clock"],
  ["setInterval", "the clock"],
  ["setImmediate", "the event loop"],
  ["queueMicrotask", "the event loop"],
]);

/** Globals whose every use is I/O or ambient state. */
const impureGlobals = new Map([
  ["process", "ambient process state: env, clock, I/O"],
  ["console", "I/O: log through the caller's logger"],
]);

function isBuiltin(name: string): boolean {
  return builtins.has(name);
}

const builtins = new Set(
  // The list as this Node knows it, without the `node:` prefix (which is refused above anyway).
  (await import("node:module")).builtinModules.map((m) => m.replace(/^node:/, "").split("/")[0]!),
);

export function formatViolations(violations: readonly Violation[], root: string): string {
  const rel = (f: string) => path.relative(root, f);
  return violations.map((v) => `${rel(v.file)}:${v.line}: ${v.what}${v.via.length > 0 ? `\n    reached from ${v.via.map(rel).join(" → ")}` : ""}`).join("\n");
}
