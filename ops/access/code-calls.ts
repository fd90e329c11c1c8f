import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { actionsOf, TRANSACTION_OPERATIONS, type TransactionItemKind } from "./iam-actions";
import { clientPackageDirOfSpecifier, sdkOperationOf, serviceOfClientPackage, type SdkOperation } from "./sdk-command";
import { propertyNames, propertyValue, ValueFlow, type ValueSource } from "./value-flow";

/** One action the code can ask AWS for, on the resource one member of the request names. */
export interface CodeCall {
  /** `handlers/orders/place-order.ts:59`: where the command (or the library object that sends it) is made. */
  readonly at: string;
  readonly operation: SdkOperation;
  /** `dynamodb:PutItem`. */
  readonly action: string;
  /** The request member naming the resource (`TableName`, `QueueUrl`, `Entries[].EventBusName`). */
  readonly member: string;
  /** Where that member's value comes from. */
  readonly resource: readonly ValueSource[];
  /** The library that sends the command for the code (`@aws-lambda-powertools/idempotency`), when not the code itself. */
  readonly via?: string;
}

/**
 * The request members that name the resource an action is authorized on, per service (as the Service Authorization
 * Reference's resource types are named by the API's parameters). A member missing from the request has the service's
 * default (PutEvents without EventBusName goes to the account's `default` bus).
 */
const RESOURCE_MEMBERS: Readonly<Record<string, readonly { readonly path: readonly string[]; readonly default?: string }[]>> = {
  dynamodb: [{ path: ["TableName"] }],
  sqs: [{ path: ["QueueUrl"] }],
  events: [{ path: ["Entries", "EventBusName"], default: "default" }],
  ses: [{ path: ["FromEmailAddress"] }, { path: ["ConfigurationSetName"] }],
  "sms-voice": [{ path: ["OriginationIdentity"] }],
  sns: [{ path: ["TopicArn"] }],
  states: [{ path: ["stateMachineArn"] }],
  lambda: [{ path: ["FunctionName"] }],
};

const TRANSACTION_ITEM_KINDS: readonly TransactionItemKind[] = ["Put", "Update", "Delete", "ConditionCheck", "Get"];

/**
 * The AWS calls one program (a function's handler, the worker's entry) can make: every AWS SDK v3 command its own code
 * constructs (`new GetCommand(...)`, `new SendMessageCommand(...)`), and every command a library constructs for it —
 * a library class or function the code calls whose module constructs SDK commands (Powertools idempotency's
 * DynamoDBPersistenceLayer, sqs-consumer's Consumer), on the resource the code hands it (its `tableName`, `queueUrl`
 * option). Each is mapped to its IAM actions, and its resource member followed back to environment variables.
 */
export class CodeAnalysis {
  private readonly program: ts.Program;
  private readonly libraryCommands = new Map<string, SdkOperation[]>();
  private readonly callsByEntry = new Map<string, Promise<CodeCall[]>>();

  constructor(
    readonly root: string,
    entries: readonly string[],
  ) {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    this.program = ts.createProgram({ rootNames: entries.map((e) => path.resolve(root, e)), options: { ...(config?.options ?? {}), noEmit: true } });
    // The checker binds every file, which also sets the parent links the analysis walks.
    this.program.getTypeChecker();
  }

  /** The calls of the program rooted at `entry` (a path relative to the repository). */
  calls(entry: string): Promise<CodeCall[]> {
    let calls = this.callsByEntry.get(entry);
    if (!calls) {
      calls = this.findCalls(entry);
      this.callsByEntry.set(entry, calls);
    }
    return calls;
  }

  private async findCalls(entry: string): Promise<CodeCall[]> {
    const files = this.ownFiles(path.resolve(this.root, entry));
    const flow = new ValueFlow(this.program, files, this.root);
    const calls: CodeCall[] = [];
    for (const call of flow.allCalls()) {
      if (ts.isNewExpression(call)) {
        const operation = this.commandOf(call, flow);
        if (operation) {
          calls.push(...(await this.commandCalls(call, operation, flow)));
          continue;
        }
      }
      const library = this.libraryOf(call, flow);
      if (library) calls.push(...(await this.libraryCalls(call, library, flow)));
    }
    // A batch operation and its single counterpart are one action: keep one call per place, action and member.
    return [...new Map(calls.map((c) => [`${c.at} ${c.action} ${c.member}`, c])).values()];
  }

  /** The project's own files the entry imports, transitively (packages excluded: their calls are found through the code's). */
  ownFiles(entry: string): ts.SourceFile[] {
    const seen = new Map<string, ts.SourceFile>();
    const options = this.program.getCompilerOptions();
    const visit = (fileName: string) => {
      if (seen.has(fileName)) return;
      const file = this.program.getSourceFile(fileName);
      if (!file) throw new Error(`${fileName} is not in the analysed program`);
      seen.set(fileName, file);
      for (const statement of file.statements) {
        const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
        const typeOnly = ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly : ts.isExportDeclaration(statement) && statement.isTypeOnly;
        if (!specifier || typeOnly) continue;
        const resolved = ts.resolveModuleName(specifier, fileName, options, ts.sys).resolvedModule;
        if (resolved && !resolved.isExternalLibraryImport && !resolved.resolvedFileName.endsWith(".d.ts")) visit(resolved.resolvedFileName);
      }
    };
    visit(entry);
    return [...seen.values()];
  }

  /** The SDK operation a `new X(...)` constructs, when X is an SDK command class. */
  private commandOf(call: ts.NewExpression, flow: ValueFlow): SdkOperation | undefined {
    const declaration = flow.declarationOf(call.expression);
    if (!declaration || !ts.isClassDeclaration(declaration) || !declaration.name) return undefined;
    const file = declaration.getSourceFile().fileName;
    const checker = flow.typeChecker;
    const wrapped = checker.getTypeAtLocation(call).getProperty("clientCommand");
    const wrappedType = wrapped ? checker.getTypeOfSymbol(wrapped) : undefined;
    const wrappedDeclaration = wrappedType?.getSymbol()?.declarations?.[0];
    return sdkOperationOf(
      declaration.name.text,
      file,
      wrappedType?.getSymbol() && wrappedDeclaration ? { className: wrappedType.getSymbol()!.name, declarationFile: wrappedDeclaration.getSourceFile().fileName } : undefined,
    );
  }

  /** One call per action and resource member of a command the code constructs. */
  private async commandCalls(call: ts.NewExpression, operation: SdkOperation, flow: ValueFlow): Promise<CodeCall[]> {
    const input = call.arguments?.[0];
    const at = flow.at(call);
    if (operation.service === "dynamodb" && TRANSACTION_OPERATIONS.has(operation.operation)) {
      // Each item of the transaction: its kind is its action, its TableName its table.
      const items = input ? flow.memberValues(input, "TransactItems").flatMap((list) => flow.objects(list)) : [];
      const calls: CodeCall[] = [];
      for (const item of items) {
        for (const kind of TRANSACTION_ITEM_KINDS) {
          const body = propertyValue(item, kind);
          if (!body) continue;
          const [action] = await actionsOf(operation, [kind]);
          const tables = flow.memberValues(body, "TableName").flatMap((v) => flow.sources(v));
          calls.push({ at, operation, action, member: `TransactItems[].${kind}.TableName`, resource: tables.length > 0 ? tables : [{ kind: "unknown", text: body.getText().slice(0, 80), at: flow.at(body) }] });
        }
      }
      if (calls.length === 0) return (await actionsOf(operation, TRANSACTION_ITEM_KINDS)).map((action) => ({ at, operation, action, member: "TransactItems", resource: [{ kind: "unknown", text: input?.getText().slice(0, 80) ?? "", at }] }));
      return calls;
    }
    const actions = await actionsOf(operation);
    const members = RESOURCE_MEMBERS[operation.service] ?? [];
    const calls: CodeCall[] = [];
    for (const member of members) {
      let holders: ts.Expression[] = input ? [input] : [];
      for (const step of member.path.slice(0, -1)) holders = holders.flatMap((h) => flow.memberValues(h, step));
      const last = member.path[member.path.length - 1];
      const objects = holders.flatMap((h) => flow.objects(h));
      const values = objects.flatMap((o) => propertyValue(o, last) ?? []);
      const absent = objects.some((o) => !propertyNames(o).includes(last));
      const resource: ValueSource[] = [...values.flatMap((v) => flow.sources(v)), ...(absent && member.default ? [{ kind: "literal" as const, value: member.default }] : [])];
      if (resource.length === 0 && (objects.length === 0 || !member.default) && member === members[0]) {
        resource.push({ kind: "unknown", text: input?.getText().slice(0, 80) ?? "(no input)", at });
      }
      if (resource.length === 0) continue;
      for (const action of actions) calls.push({ at, operation, action, member: member.path.join("[]."), resource });
    }
    return calls;
  }

  /** The library module behind a call of a package's class or function, when that module constructs SDK commands. */
  private libraryOf(call: ts.CallExpression | ts.NewExpression, flow: ValueFlow): { name: string; commands: SdkOperation[] } | undefined {
    const callee = ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression;
    const declaration = flow.declarationOf(callee);
    const file = declaration?.getSourceFile().fileName;
    if (!file || !file.includes(`${path.sep}node_modules${path.sep}`) || /[\\/]node_modules[\\/]@aws-sdk[\\/]/.test(file)) return undefined;
    // What configures the library's resource is its constructor or a static factory (`Consumer.create`); a method of an
    // object it made (`consumer.start()`) acts on what that configured.
    const isMethod = declaration !== undefined && (ts.isMethodDeclaration(declaration) || ts.isMethodSignature(declaration));
    if (ts.isCallExpression(call) && isMethod && !(ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Static)) return undefined;
    const commands = this.commandsInModule(file.replace(/\.d\.[cm]?ts$/, ".js"));
    if (commands.length === 0) return undefined;
    const pkg = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file)![1].split(path.sep).join("/");
    const name = declaration && "name" in declaration && declaration.name && ts.isIdentifier(declaration.name as ts.Node) ? (declaration.name as ts.Identifier).text : "";
    return { name: `${pkg}${name ? ` ${name}` : ""}`, commands };
  }

  /**
   * A library module's commands: every `new XCommand(...)` in it whose X is imported from an SDK client package. The
   * resource is the option the code gives the library under the member's camelCase name (`TableName` -> `tableName`).
   */
  private async libraryCalls(call: ts.CallExpression | ts.NewExpression, library: { name: string; commands: SdkOperation[] }, flow: ValueFlow): Promise<CodeCall[]> {
    const options = call.arguments?.[0];
    const at = flow.at(call);
    const calls: CodeCall[] = [];
    for (const operation of library.commands) {
      const members = RESOURCE_MEMBERS[operation.service] ?? [];
      const member = members[0];
      const option = member ? member.path[member.path.length - 1].replace(/^./, (c) => c.toLowerCase()) : undefined;
      const values = options && option ? flow.memberValues(options, option) : [];
      const resource = values.length > 0 ? values.flatMap((v) => flow.sources(v)) : [{ kind: "unknown" as const, text: `${library.name} option ${option ?? "?"}`, at }];
      for (const action of await actionsOf(operation)) calls.push({ at, operation, action, member: option ?? "?", resource, via: library.name });
    }
    return calls;
  }

  private commandsInModule(jsFile: string): SdkOperation[] {
    const cached = this.libraryCommands.get(jsFile);
    if (cached) return cached;
    const found: SdkOperation[] = [];
    if (existsSync(jsFile)) {
      const source = ts.createSourceFile(jsFile, readFileSync(jsFile, "utf8"), ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
      // ES modules import the commands by name; CommonJS builds require the package into a namespace.
      const imported = new Map<string, { className: string; packageDir: string }>();
      const namespaces = new Map<string, string>();
      const fromDir = path.dirname(jsFile);
      for (const statement of source.statements) {
        if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
          const bindings = statement.importClause?.namedBindings;
          const packageDir = clientPackageDirOfSpecifier(statement.moduleSpecifier.text, fromDir);
          if (!bindings || !packageDir) continue;
          if (ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, packageDir);
          else for (const element of bindings.elements) imported.set(element.name.text, { className: (element.propertyName ?? element.name).text, packageDir });
        }
        if (ts.isVariableStatement(statement)) {
          for (const declaration of statement.declarationList.declarations) {
            const init = declaration.initializer;
            if (!ts.isIdentifier(declaration.name) || !init || !ts.isCallExpression(init) || !ts.isIdentifier(init.expression) || init.expression.text !== "require") continue;
            const specifier = init.arguments[0];
            const packageDir = specifier && ts.isStringLiteral(specifier) ? clientPackageDirOfSpecifier(specifier.text, fromDir) : undefined;
            if (packageDir) namespaces.set(declaration.name.text, packageDir);
          }
        }
      }
      const commandOf = (callee: ts.Expression) => {
        if (ts.isIdentifier(callee)) return imported.get(callee.text);
        if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
          const packageDir = namespaces.get(callee.expression.text);
          return packageDir ? { className: callee.name.text, packageDir } : undefined;
        }
        return undefined;
      };
      const visit = (node: ts.Node) => {
        if (ts.isNewExpression(node)) {
          const command = commandOf(node.expression);
          if (command?.className.endsWith("Command")) found.push({ service: serviceOfClientPackage(command.packageDir), operation: command.className.slice(0, -"Command".length) });
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    const unique = [...new Map(found.map((f) => [`${f.service}:${f.operation}`, f])).values()];
    this.libraryCommands.set(jsFile, unique);
    return unique;
  }
}
