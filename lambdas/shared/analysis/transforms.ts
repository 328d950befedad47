import ts from 'typescript';
import type { TransformId } from '../../../domain/analysis/types';
import { scriptKindOf } from './static-analyzer';

/**
 * Code transformations of the refactoring stage, computed on the TypeScript AST and applied as
 * text edits (so formatting and comments elsewhere stay byte for byte as they were).
 */
export type { TransformId } from '../../../domain/analysis/types';

export interface TransformRequest {
  transform: TransformId;
  /** For unexport-unused: the exported names no file imports. */
  names?: string[];
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface TransformResult {
  text: string;
  edits: number;
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function exportKeyword(node: ts.Node): ts.Modifier | undefined {
  return ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []).find((m) => m.kind === ts.SyntaxKind.ExportKeyword) : undefined;
}

function declaredNames(stmt: ts.Statement): string[] {
  if (ts.isVariableStatement(stmt)) return stmt.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : ['(pattern)']));
  if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt) || ts.isEnumDeclaration(stmt)) && stmt.name) return [stmt.name.text];
  return [];
}

export function applyTransform(path: string, text: string, request: TransformRequest): TransformResult {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKindOf(path));
  const edits: Edit[] = [];
  if (request.transform === 'unexport-unused') {
    const names = new Set(request.names ?? []);
    for (const stmt of sf.statements) {
      const kw = exportKeyword(stmt);
      if (kw) {
        const declared = declaredNames(stmt);
        const isDefault = (ts.getModifiers(stmt as ts.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
        if (!isDefault && declared.length > 0 && declared.every((n) => names.has(n))) {
          // The keyword and the whitespace after it.
          let end = kw.getEnd();
          while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
          edits.push({ start: kw.getStart(sf), end, text: '' });
        }
      } else if (ts.isExportDeclaration(stmt) && !stmt.moduleSpecifier && stmt.exportClause && ts.isNamedExports(stmt.exportClause)) {
        const keep = stmt.exportClause.elements.filter((el) => !names.has(el.name.text));
        if (keep.length === stmt.exportClause.elements.length) continue;
        const replacement = keep.length === 0 ? '' : `export ${stmt.isTypeOnly ? 'type ' : ''}{ ${keep.map((el) => el.getText(sf)).join(', ')} };`;
        edits.push({ start: stmt.getStart(sf), end: stmt.getEnd(), text: replacement });
      }
    }
  } else {
    const visit = (node: ts.Node): void => {
      if (request.transform === 'any-to-unknown' && node.kind === ts.SyntaxKind.AnyKeyword) {
        edits.push({ start: node.getStart(sf), end: node.getEnd(), text: 'unknown' });
      }
      if (request.transform === 'strict-equality' && ts.isBinaryExpression(node) && node.left.kind !== ts.SyntaxKind.NullKeyword && node.right.kind !== ts.SyntaxKind.NullKeyword) {
        const op = node.operatorToken;
        if (op.kind === ts.SyntaxKind.EqualsEqualsToken) edits.push({ start: op.getStart(sf), end: op.getEnd(), text: '===' });
        if (op.kind === ts.SyntaxKind.ExclamationEqualsToken) edits.push({ start: op.getStart(sf), end: op.getEnd(), text: '!==' });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { text: applyEdits(text, edits), edits: edits.length };
}
