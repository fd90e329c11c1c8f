import path from "node:path";
import ts from "typescript";

/** Where a value the code passes to AWS comes from. */
export type ValueSource =
  /** An environment variable (`env.ORDERS_TABLE_NAME`, `config.QUEUE_URL`): its value is in the graph. */
  | { readonly kind: "env"; readonly name: string }
  /** A constant in the code. */
  | { readonly kind: "literal"; readonly value: string }
  /** A value this analysis cannot follow (computed at run time, or through a path it does not take). */
  | { readonly kind: "unknown"; readonly text: string; readonly at: string };

// The handlers read their environment through readEnvironment (handlers/shared/environment.ts), whose keys are the
// variables' names: upper snake case, as Lambda and ECS environments are written here. A member so named is a variable.
const ENVIRONMENT_NAME = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{2,}$/;
const MAX_DEPTH = 12;

/**
 * Follows values backwards through the code of one program: from an expression passed to an AWS call to the
 * environment variables and constants it is made of. It takes the paths the handlers use — variables, parameters
 * (through every call of their function in the files in scope), object literals and their members, a called function's
 * return values, arrays with spreads and `.map` callbacks, conditionals — and says `unknown` for the rest, never a guess.
 */
export class ValueFlow {
  private readonly checker: ts.TypeChecker;
  private calls?: (ts.CallExpression | ts.NewExpression)[];

  constructor(
    program: ts.Program,
    /** The source files whose calls count (one function's own code). */
    private readonly files: readonly ts.SourceFile[],
    private readonly root: string,
  ) {
    this.checker = program.getTypeChecker();
  }

  /** The sources of a value. */
  sources(expr: ts.Expression, depth = 0): ValueSource[] {
    const e = skipOuter(expr);
    if (depth > MAX_DEPTH) return [this.unknown(e)];
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [{ kind: "literal", value: e.text }];
    if (ts.isConditionalExpression(e)) return [...this.sources(e.whenTrue, depth + 1), ...this.sources(e.whenFalse, depth + 1)];
    if (ts.isBinaryExpression(e) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(e.operatorToken.kind)) {
      // Either side; an empty string names no resource (the SDK refuses an empty name before sending anything).
      return [...this.sources(e.left, depth + 1), ...this.sources(e.right, depth + 1)].filter((v) => !(v.kind === "literal" && v.value === ""));
    }
    if (ts.isPropertyAccessExpression(e)) {
      if (ENVIRONMENT_NAME.test(e.name.text)) return [{ kind: "env", name: e.name.text }];
      const values = this.memberValues(e.expression, e.name.text, depth + 1);
      return values.length > 0 ? values.flatMap((v) => this.sources(v, depth + 1)) : [this.unknown(e)];
    }
    if (ts.isIdentifier(e)) {
      const values = this.identifierValues(e, depth + 1);
      return values.length > 0 ? values.flatMap((v) => this.sources(v, depth + 1)) : [this.unknown(e)];
    }
    return [this.unknown(e)];
  }

  /** The object literals a value can be: followed through variables, parameters, calls' returns and array elements. */
  objects(expr: ts.Expression, depth = 0): ts.ObjectLiteralExpression[] {
    const e = skipOuter(expr);
    if (depth > MAX_DEPTH) return [];
    if (ts.isObjectLiteralExpression(e)) return [e];
    if (ts.isArrayLiteralExpression(e)) {
      return e.elements.flatMap((el) => this.objects(ts.isSpreadElement(el) ? el.expression : el, depth + 1));
    }
    if (ts.isConditionalExpression(e)) return [...this.objects(e.whenTrue, depth + 1), ...this.objects(e.whenFalse, depth + 1)];
    if (ts.isIdentifier(e)) return this.identifierValues(e, depth + 1).flatMap((v) => this.objects(v, depth + 1));
    if (ts.isPropertyAccessExpression(e)) return this.memberValues(e.expression, e.name.text, depth + 1).flatMap((v) => this.objects(v, depth + 1));
    if (ts.isCallExpression(e)) {
      // `items.map((item) => ({ ... }))`: the callback's results are the elements.
      if (ts.isPropertyAccessExpression(e.expression) && ["map", "flatMap"].includes(e.expression.name.text) && e.arguments[0]) {
        const callback = skipOuter(e.arguments[0]);
        if (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) return returnedExpressions(callback).flatMap((r) => this.objects(r, depth + 1));
      }
      const fn = this.functionDeclarationOf(e.expression);
      if (fn) return returnedExpressions(fn).flatMap((r) => this.objects(r, depth + 1));
    }
    return [];
  }

  /** The values a member of an object can have: `holder.name`, where holder is followed to its object literals. */
  memberValues(holder: ts.Expression, name: string, depth = 0): ts.Expression[] {
    return this.objects(holder, depth + 1).flatMap((object) => propertyValue(object, name) ?? []);
  }

  /** `path:line` of a node, relative to the repository. */
  at(node: ts.Node): string {
    const file = node.getSourceFile();
    const { line } = file.getLineAndCharacterOfPosition(node.getStart());
    return `${path.relative(this.root, file.fileName).split(path.sep).join("/")}:${line + 1}`;
  }

  /** Every call and `new` in the files in scope. */
  allCalls(): readonly (ts.CallExpression | ts.NewExpression)[] {
    if (!this.calls) {
      const calls: (ts.CallExpression | ts.NewExpression)[] = [];
      const visit = (node: ts.Node) => {
        if (ts.isCallExpression(node) || ts.isNewExpression(node)) calls.push(node);
        ts.forEachChild(node, visit);
      };
      for (const file of this.files) visit(file);
      this.calls = calls;
    }
    return this.calls;
  }

  /** The declaration a name resolves to, through imports and re-exports. */
  declarationOf(node: ts.Node): ts.Declaration | undefined {
    const symbol = this.symbolOf(node);
    return symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  }

  symbolOf(node: ts.Node): ts.Symbol | undefined {
    let symbol = ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node ? this.checker.getShorthandAssignmentValueSymbol(node.parent) : this.checker.getSymbolAtLocation(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    return symbol;
  }

  get typeChecker(): ts.TypeChecker {
    return this.checker;
  }

  private identifierValues(id: ts.Identifier, depth: number): ts.Expression[] {
    const declaration = this.declarationOf(id);
    if (!declaration) return [];
    if (ts.isVariableDeclaration(declaration)) return declaration.initializer ? [declaration.initializer] : [];
    if (ts.isParameter(declaration)) return this.argumentsOf(declaration, depth);
    if (ts.isPropertyAssignment(declaration)) return [declaration.initializer];
    if (ts.isShorthandPropertyAssignment(declaration)) return [declaration.name];
    if (ts.isBindingElement(declaration)) {
      // `const { a } = x` or `({ a }) => ...`: the member `a` of what is destructured.
      const pattern = declaration.parent;
      const member = (declaration.propertyName ?? declaration.name) as ts.Identifier;
      if (!ts.isIdentifier(member) || !ts.isObjectBindingPattern(pattern)) return [];
      const owner = pattern.parent;
      const holders = ts.isVariableDeclaration(owner) ? (owner.initializer ? [owner.initializer] : []) : ts.isParameter(owner) ? this.argumentsOf(owner, depth) : [];
      return holders.flatMap((h) => this.memberValues(h, member.text, depth + 1));
    }
    return [];
  }

  /** The arguments every call in scope passes for a parameter. */
  private argumentsOf(parameter: ts.ParameterDeclaration, depth: number): ts.Expression[] {
    if (depth > MAX_DEPTH) return [];
    const fn = parameter.parent;
    const index = fn.parameters.indexOf(parameter);
    const target = this.functionSymbolOf(fn);
    if (!target) return [];
    return this.allCalls()
      .filter((call) => this.symbolOf(calleeName(call.expression)) === target)
      .flatMap((call) => (call.arguments?.[index] ? [call.arguments[index]] : []));
  }

  /** The symbol a function is called by: its own name, or the variable it is assigned to. */
  private functionSymbolOf(fn: ts.SignatureDeclaration): ts.Symbol | undefined {
    if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name) return this.symbolOf(fn.name);
    if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) return this.symbolOf(fn.parent.name);
    return undefined;
  }

  private functionDeclarationOf(callee: ts.Expression): ts.FunctionLikeDeclaration | undefined {
    const declaration = this.declarationOf(calleeName(callee));
    if (!declaration || declaration.getSourceFile().isDeclarationFile) return undefined;
    if (ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration)) return declaration.body ? declaration : undefined;
    if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
      const init = skipOuter(declaration.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
    return undefined;
  }

  private unknown(e: ts.Node): ValueSource {
    return { kind: "unknown", text: e.getText().slice(0, 80), at: this.at(e) };
  }
}

/** The name a call's callee is known by: `f` in `f(...)`, `create` in `Consumer.create(...)`. */
export function calleeName(callee: ts.Expression): ts.Node {
  const e = skipOuter(callee);
  return ts.isPropertyAccessExpression(e) ? e.name : e;
}

/** The value of a named property of an object literal (a shorthand property's own name stands for its value). */
export function propertyValue(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const property of object.properties) {
    if (!property.name || propertyName(property.name) !== name) continue;
    if (ts.isPropertyAssignment(property)) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property)) return property.name;
  }
  return undefined;
}

/** The property names of an object literal. */
export function propertyNames(object: ts.ObjectLiteralExpression): string[] {
  return object.properties.flatMap((p) => (p.name ? [propertyName(p.name)].filter((n): n is string => n !== undefined) : []));
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

function skipOuter(expr: ts.Expression): ts.Expression {
  let e = expr;
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    else if (ts.isAwaitExpression(e)) e = e.expression;
    else return e;
  }
}

/** What a function returns: an arrow's expression body, or each `return`'s expression (not those of nested functions). */
function returnedExpressions(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const found: ts.Expression[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) found.push(node.expression);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn.body, visit);
  return found;
}
