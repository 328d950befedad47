import ts from 'typescript';
import { estimateCost } from '../../../domain/analysis/cost';
import { compilerOptions, createInMemoryHost, virtualPath } from './program';
import {
  RULE_CATEGORY,
  SEVERITY_WEIGHT,
  type AnalysisCost,
  type AnalyzeRequest,
  type Analyzer,
  type FileFindings,
  type Finding,
  type FunctionComplexity,
  type ImportRecord,
  type RuleId,
  type Severity,
} from '../../../domain/analysis/types';

/**
 * The static analyser: real analysis of TypeScript/JavaScript with the TypeScript compiler API.
 *
 * Cheap pass (parse only): cyclomatic complexity per function, `eval` / `new Function`, SQL built
 * by concatenation or template interpolation, hard-coded secrets (key-like names assigned string
 * literals, AWS access key ids), explicit `any`, loose equality, `await` inside loops, synchronous
 * I/O, and the file's exports and imports (for the snapshot-wide unused-export pass).
 *
 * Deep pass: the cheap rules plus a type-checked program over the file and the snapshot files it
 * imports (`context`): implicit `any` (what `noImplicitAny` reports) and `any`-typed call arguments.
 */

const SQL_KEYWORDS = /\b(select\s+[\w*]|insert\s+into|update\s+\w+\s+set|delete\s+from|where\s+\w|values\s*\(|order\s+by|drop\s+table)/i;
const SECRET_NAME = /(secret|passw(or)?d|passwd|pwd|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|client[_-]?secret|auth[_-]?key)/i;
const AWS_ACCESS_KEY_ID = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;
const SYNC_IO = /^(readFileSync|writeFileSync|appendFileSync|readdirSync|statSync|lstatSync|existsSync|mkdirSync|rmSync|copyFileSync|execSync|execFileSync|spawnSync)$/;
/** noImplicitAny's diagnostics: parameter, variable, member, binding element, return type implicitly any. */
const IMPLICIT_ANY_CODES = new Set([7005, 7006, 7008, 7010, 7011, 7015, 7019, 7023, 7031, 7034]);

export interface StaticAnalyzerOptions {
  /** Files the deep pass may type-check against (snapshot path → text): the analysed file's imports. */
  context?: Record<string, string>;
}

export function scriptKindOf(path: string): ts.ScriptKind {
  if (/\.tsx$/.test(path)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(path)) return ts.ScriptKind.JSX;
  if (/\.(m|c)?js$/.test(path)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

export { ANALYSABLE_FILE } from '../../../domain/analysis/types';

function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

function isLoop(node: ts.Node): boolean {
  return ts.isForStatement(node) || ts.isForInStatement(node) || (ts.isForOfStatement(node) && !node.awaitModifier) || ts.isWhileStatement(node) || ts.isDoStatement(node);
}

function functionName(node: ts.FunctionLikeDeclaration): string {
  if (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) || ts.isPrivateIdentifier(node.name))) {
    const own = node.name.text;
    const cls = node.parent && ts.isClassLike(node.parent) && node.parent.name ? `${node.parent.name.text}.` : '';
    return cls + own;
  }
  if (ts.isConstructorDeclaration(node)) return `${node.parent.name?.text ?? '(class)'}.constructor`;
  const p = node.parent;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isPropertyDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  return '(anonymous)';
}

/** 1 + the decision points of the function's own body (nested functions count for themselves). */
export function cyclomaticComplexity(fn: ts.FunctionLikeDeclaration): number {
  let complexity = 1;
  const visit = (node: ts.Node): void => {
    if (node !== fn && isFunctionLike(node)) return;
    switch (node.kind) {
      case ts.SyntaxKind.IfStatement:
      case ts.SyntaxKind.ConditionalExpression:
      case ts.SyntaxKind.ForStatement:
      case ts.SyntaxKind.ForInStatement:
      case ts.SyntaxKind.ForOfStatement:
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement:
      case ts.SyntaxKind.CaseClause:
      case ts.SyntaxKind.CatchClause:
        complexity++;
        break;
      case ts.SyntaxKind.BinaryExpression: {
        const op = (node as ts.BinaryExpression).operatorToken.kind;
        if (
          op === ts.SyntaxKind.AmpersandAmpersandToken ||
          op === ts.SyntaxKind.BarBarToken ||
          op === ts.SyntaxKind.QuestionQuestionToken ||
          op === ts.SyntaxKind.AmpersandAmpersandEqualsToken ||
          op === ts.SyntaxKind.BarBarEqualsToken ||
          op === ts.SyntaxKind.QuestionQuestionEqualsToken
        ) {
          complexity++;
        }
        break;
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn, visit);
  return complexity;
}

const isStringy = (n: ts.Node): boolean => ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n);

/** The text of every string-literal operand of a `+` chain, and whether any operand is not a literal. */
function concatParts(node: ts.Expression): { literals: string[]; dynamic: boolean } {
  const e = ts.isParenthesizedExpression(node) ? node.expression : node;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = concatParts(e.left);
    const r = concatParts(e.right);
    return { literals: [...l.literals, ...r.literals], dynamic: l.dynamic || r.dynamic };
  }
  if (isStringy(e)) return { literals: [(e as ts.StringLiteral).text], dynamic: false };
  if (ts.isNumericLiteral(e)) return { literals: [], dynamic: false };
  if (ts.isTemplateExpression(e)) return { literals: [e.head.text, ...e.templateSpans.map((s) => s.literal.text)], dynamic: true };
  return { literals: [], dynamic: true };
}

function nameOf(node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node) || ts.isStringLiteral(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression)) return node.argumentExpression.text;
  return undefined;
}

function hasExportModifier(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function hasDefaultModifier(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
}

/** The names a top-level statement exports, and the imports it makes. */
function exportsAndImports(sf: ts.SourceFile): { exports: string[]; imports: ImportRecord[] } {
  const exports: string[] = [];
  const imports: ImportRecord[] = [];
  const addImport = (from: string, names: string[]) => imports.push({ from, names });
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
      const names: string[] = [];
      const clause = stmt.importClause;
      if (clause?.name) names.push('default');
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
      if (bindings && ts.isNamedImports(bindings)) bindings.elements.forEach((el) => names.push((el.propertyName ?? el.name).text));
      addImport(stmt.moduleSpecifier.text, names);
      continue;
    }
    if (ts.isImportEqualsDeclaration(stmt) && ts.isExternalModuleReference(stmt.moduleReference) && ts.isStringLiteral(stmt.moduleReference.expression)) {
      addImport(stmt.moduleReference.expression.text, ['*']);
      continue;
    }
    if (ts.isExportDeclaration(stmt)) {
      const from = stmt.moduleSpecifier && ts.isStringLiteral(stmt.moduleSpecifier) ? stmt.moduleSpecifier.text : undefined;
      const clause = stmt.exportClause;
      if (!clause) {
        if (from) addImport(from, ['*']);
      } else if (ts.isNamespaceExport(clause)) {
        exports.push(clause.name.text);
        if (from) addImport(from, ['*']);
      } else {
        clause.elements.forEach((el) => exports.push(el.name.text));
        if (from) addImport(from, clause.elements.map((el) => (el.propertyName ?? el.name).text));
      }
      continue;
    }
    if (ts.isExportAssignment(stmt)) {
      exports.push('default');
      continue;
    }
    if (!hasExportModifier(stmt)) continue;
    if (hasDefaultModifier(stmt)) {
      exports.push('default');
    } else if (ts.isVariableStatement(stmt)) {
      for (const decl of stmt.declarationList.declarations) if (ts.isIdentifier(decl.name)) exports.push(decl.name.text);
    } else if (
      (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt) || ts.isEnumDeclaration(stmt)) &&
      stmt.name
    ) {
      exports.push(stmt.name.text);
    }
  }
  // Dynamic import() and require() take the whole module.
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isDynamicImport || isRequire) addImport((node.arguments[0]).text, ['*']);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { exports: [...new Set(exports)], imports };
}

export class StaticAnalyzer implements Analyzer {
  readonly name = 'static-typescript';

  constructor(private readonly options: StaticAnalyzerOptions = {}) {}

  analyze(request: AnalyzeRequest): Promise<FileFindings & { cost: AnalysisCost }> {
    return Promise.resolve(this.analyzeSync(request));
  }

  analyzeSync(request: AnalyzeRequest): FileFindings & { cost: AnalysisCost } {
    const { file, text, depth } = request;
    const sf = ts.createSourceFile(file.path, text, ts.ScriptTarget.Latest, true, scriptKindOf(file.path));
    const findings: Finding[] = [];
    const seen = new Set<string>();
    const report = (rule: RuleId, severity: Severity, node: ts.Node, message: string): void => {
      const start = node.getStart(sf);
      const key = `${rule}@${start}`;
      if (seen.has(key)) return;
      seen.add(key);
      const { line, character } = sf.getLineAndCharacterOfPosition(start);
      findings.push({ rule, category: RULE_CATEGORY[rule], severity, file: file.path, line: line + 1, column: character + 1, message });
    };
    const functions: FunctionComplexity[] = [];

    const checkSecret = (name: string | undefined, value: ts.Node | undefined, at: ts.Node): void => {
      if (!name || !value || !isStringy(value)) return;
      const literal = (value as ts.StringLiteral).text;
      if (SECRET_NAME.test(name) && literal.length >= 8 && !/^\s*$/.test(literal) && !/^(<.*>|\$\{.*\}|changeme|xxx+|todo)$/i.test(literal)) {
        report('hardcoded-secret', 'high', at, `"${name}" is assigned a hard-coded string literal; load secrets from a secret store or the environment`);
      }
    };

    const visit = (node: ts.Node): void => {
      if (isFunctionLike(node) && node.body) {
        const complexity = cyclomaticComplexity(node);
        const name = functionName(node);
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        functions.push({ name, line, complexity });
        if (complexity > request.complexityThreshold) {
          report('high-complexity', complexity > 2 * request.complexityThreshold ? 'high' : 'medium', node, `${name} has cyclomatic complexity ${complexity} (threshold ${request.complexityThreshold})`);
        }
      }
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        const calleeName = nameOf(callee);
        if ((ts.isIdentifier(callee) && callee.text === 'eval') || (ts.isPropertyAccessExpression(callee) && callee.name.text === 'eval' && ['window', 'globalThis', 'global', 'self'].includes(callee.expression.getText(sf)))) {
          report('eval', 'high', node, 'eval() runs arbitrary code from a string');
        }
        if (ts.isIdentifier(callee) && callee.text === 'Function') report('eval', 'high', node, 'Function() compiles code from a string, like eval');
        if (calleeName && SYNC_IO.test(calleeName)) report('sync-io', 'medium', node, `${calleeName}() blocks the event loop; use the asynchronous API`);
      }
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Function') {
        report('eval', 'high', node, 'new Function() compiles code from a string, like eval');
      }
      if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.PlusToken &&
        // Only the outermost `+` of a chain; the right side of `+=` is reported by the `+=` rule.
        !(ts.isBinaryExpression(node.parent) && (node.parent.operatorToken.kind === ts.SyntaxKind.PlusToken || node.parent.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken))
      ) {
        const parts = concatParts(node);
        if (parts.dynamic && parts.literals.some((l) => SQL_KEYWORDS.test(l))) {
          report('sql-injection', 'critical', node, 'SQL built by string concatenation with a non-literal value; use a parameterised query');
        }
      }
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) {
        const parts = concatParts(node.right);
        if (parts.dynamic && parts.literals.some((l) => SQL_KEYWORDS.test(l))) {
          report('sql-injection', 'critical', node, 'SQL extended with a non-literal value (+=); use a parameterised query');
        }
      }
      if (ts.isTemplateExpression(node) && !ts.isTaggedTemplateExpression(node.parent)) {
        const literals = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)];
        if (SQL_KEYWORDS.test(literals.join(' '))) report('sql-injection', 'critical', node, 'SQL built by template interpolation; use a parameterised query');
      }
      if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && AWS_ACCESS_KEY_ID.test(node.text)) {
        report('hardcoded-secret', 'critical', node, 'an AWS access key id is hard-coded');
      }
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) checkSecret(node.name.text, node.initializer, node);
      if ((ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) && node.name) checkSecret(nameOf(node.name), node.initializer, node);
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) checkSecret(nameOf(node.left), node.right, node);
      if (node.kind === ts.SyntaxKind.AnyKeyword) report('explicit-any', 'low', node, '`any` turns off type checking; use `unknown` and narrow it');
      if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken || node.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsToken)) {
        // `x == null` (null or undefined) is the one idiomatic use; it is left alone.
        if (node.left.kind !== ts.SyntaxKind.NullKeyword && node.right.kind !== ts.SyntaxKind.NullKeyword) {
          const op = node.operatorToken.getText(sf);
          report('loose-equality', 'low', node.operatorToken, `loose equality (${op}) coerces its operands; use ${op}=`);
        }
      }
      if (ts.isAwaitExpression(node)) {
        for (let p: ts.Node | undefined = node.parent; p && !isFunctionLike(p); p = p.parent) {
          if (isLoop(p)) {
            report('await-in-loop', 'medium', node, '`await` inside a loop runs the iterations one after another; consider Promise.all');
            break;
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);

    if (depth === 'deep') this.deepPass(request, report);

    const { exports, imports } = exportsAndImports(sf);
    const wanted = request.categories ? new Set(request.categories) : undefined;
    const kept = findings.filter((f) => !wanted || wanted.has(f.category)).sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
    const score =
      kept.reduce((s, f) => s + SEVERITY_WEIGHT[f.severity], 0) +
      functions.reduce((s, f) => s + Math.max(0, f.complexity - request.complexityThreshold), 0);
    return {
      path: file.path,
      sha256: file.sha256,
      depth,
      findings: kept,
      functions,
      exports,
      imports,
      score,
      cost: estimateCost(file.size, depth, request.pricePer1kTokens, request.deepCostFactor),
    };
  }

  /** Type-checked rules over the file and the snapshot files it imports. */
  private deepPass(request: AnalyzeRequest, report: (rule: RuleId, severity: Severity, node: ts.Node, message: string) => void): void {
    const files: Record<string, string> = { ...(this.options.context ?? {}), [request.file.path]: request.text };
    const host = createInMemoryHost(files);
    const program = ts.createProgram({ rootNames: [virtualPath(request.file.path)], options: { ...compilerOptions, checkJs: true }, host });
    const sf = program.getSourceFile(virtualPath(request.file.path));
    if (!sf) return;
    const checker = program.getTypeChecker();
    for (const d of program.getSemanticDiagnostics(sf)) {
      if (!IMPLICIT_ANY_CODES.has(d.code) || d.start === undefined) continue;
      const node = findNodeAt(sf, d.start);
      report('implicit-any', 'low', node, ts.flattenDiagnosticMessageText(d.messageText, ' '));
    }
    const fromPackage = (expr: ts.Expression): boolean => {
      let root: ts.Expression = expr;
      while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isCallExpression(root)) root = root.expression;
      if (!ts.isIdentifier(root)) return false;
      const decl = checker.getSymbolAtLocation(root)?.declarations?.[0];
      if (!decl || !(ts.isImportSpecifier(decl) || ts.isImportClause(decl) || ts.isNamespaceImport(decl))) return false;
      const imp = ts.findAncestor(decl, ts.isImportDeclaration);
      return !!imp && ts.isStringLiteral(imp.moduleSpecifier) && !imp.moduleSpecifier.text.startsWith('.');
    };
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        for (const arg of node.arguments) {
          const type = checker.getTypeAtLocation(arg);
          if (type.flags & ts.TypeFlags.Any && !fromPackage(arg)) {
            report('any-argument', 'low', arg, `an \`any\`-typed value (${arg.getText(sf).slice(0, 40)}) is passed to ${node.expression.getText(sf).slice(0, 40)}() unchecked`);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
}

function findNodeAt(sf: ts.SourceFile, pos: number): ts.Node {
  let found: ts.Node = sf;
  const visit = (node: ts.Node): void => {
    if (node.getStart(sf) <= pos && pos < node.getEnd()) {
      found = node;
      ts.forEachChild(node, visit);
    }
  };
  ts.forEachChild(sf, visit);
  return found;
}
