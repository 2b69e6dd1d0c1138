/**
 * A parser for Logstash's pipeline configuration language (the grammar of logstash-core's treetop `config`
 * grammar: sections, plugins, attributes, values, if/else-if/else with conditions, comments), producing a small
 * AST. It is strict where Logstash is strict (unbalanced braces, missing `=>`, bad selectors, unterminated strings
 * or regexps all fail with line and column) and is what the tests use both to check the pipeline's structure and to
 * execute its filter section (./run.ts).
 */

export type Value =
  | { kind: 'string'; value: string; quote: '"' | "'" }
  | { kind: 'number'; value: number }
  | { kind: 'bareword'; value: string }
  | { kind: 'array'; items: Value[] }
  | { kind: 'hash'; entries: Array<{ key: string; value: Value }> }
  | { kind: 'plugin'; plugin: Plugin };

export interface Attribute {
  name: string;
  value: Value;
  line: number;
}

export interface Plugin {
  kind: 'plugin';
  name: string;
  attributes: Attribute[];
  line: number;
}

export type Rvalue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'selector'; path: string[] }
  | { kind: 'array'; items: Rvalue[] }
  | { kind: 'regexp'; source: string };

export type Condition =
  | { kind: 'bool'; op: 'and' | 'or' | 'xor' | 'nand'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition }
  | { kind: 'in'; negate: boolean; left: Rvalue; right: Rvalue }
  | { kind: 'compare'; op: '==' | '!=' | '<' | '>' | '<=' | '>='; left: Rvalue; right: Rvalue }
  | { kind: 'match'; negate: boolean; left: Rvalue; pattern: string }
  | { kind: 'truthy'; value: Rvalue };

export interface Branch {
  kind: 'branch';
  cases: Array<{ condition: Condition | null; body: Statement[]; line: number }>;
}

export type Statement = Plugin | Branch;

export interface Section {
  type: 'input' | 'filter' | 'output';
  body: Statement[];
  line: number;
}

export interface PipelineConfig {
  sections: Section[];
}

export class ConfigSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
    this.name = 'ConfigSyntaxError';
  }
}

const NAME = /[A-Za-z0-9_-]/;
const BAREWORD_START = /[A-Za-z_]/;
const BAREWORD = /[A-Za-z0-9_]/;

class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  private pos(at = this.i): { line: number; column: number } {
    const before = this.src.slice(0, at);
    const line = before.split('\n').length;
    return { line, column: at - before.lastIndexOf('\n') };
  }

  fail(message: string, at = this.i): never {
    const p = this.pos(at);
    throw new ConfigSyntaxError(message, p.line, p.column);
  }

  private peek(s: string): boolean {
    return this.src.startsWith(s, this.i);
  }

  private eat(s: string): void {
    if (!this.peek(s)) this.fail(`expected ${JSON.stringify(s)}, found ${JSON.stringify(this.src.slice(this.i, this.i + 12) || 'end of file')}`);
    this.i += s.length;
  }

  /** Whitespace and #-comments. */
  ws(): void {
    for (;;) {
      const c = this.src[this.i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.i++;
      else if (c === '#') while (this.i < this.src.length && this.src[this.i] !== '\n') this.i++;
      else return;
    }
  }

  /** A keyword followed by a non-name character. */
  private keyword(k: string): boolean {
    return this.peek(k) && !NAME.test(this.src[this.i + k.length] ?? '');
  }

  config(): PipelineConfig {
    const sections: Section[] = [];
    this.ws();
    while (this.i < this.src.length) {
      const line = this.pos().line;
      const type = (['input', 'filter', 'output'] as const).find((t) => this.keyword(t));
      if (!type) this.fail('expected a section: input, filter or output');
      this.i += type.length;
      this.ws();
      this.eat('{');
      sections.push({ type, body: this.statements(), line });
      this.eat('}');
      this.ws();
    }
    return { sections };
  }

  /** Plugins and branches up to a closing brace (not consumed). */
  private statements(): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      this.ws();
      if (this.peek('}') || this.i >= this.src.length) return out;
      if (this.keyword('if')) out.push(this.branch());
      else if (this.keyword('else')) this.fail('"else" without a preceding "if"');
      else out.push(this.plugin());
    }
  }

  private branch(): Branch {
    const cases: Branch['cases'] = [];
    const block = (condition: Condition | null, line: number): void => {
      this.ws();
      this.eat('{');
      cases.push({ condition, body: this.statements(), line });
      this.eat('}');
    };
    let line = this.pos().line;
    this.eat('if');
    this.ws();
    block(this.condition(), line);
    for (;;) {
      const save = this.i;
      this.ws();
      if (!this.keyword('else')) {
        this.i = save;
        break;
      }
      line = this.pos().line;
      this.i += 4;
      this.ws();
      if (this.keyword('if')) {
        this.i += 2;
        this.ws();
        block(this.condition(), line);
      } else {
        block(null, line);
        break;
      }
    }
    return { kind: 'branch', cases };
  }

  private name(): string {
    if (this.peek('"') || this.peek("'")) return this.string().value;
    const start = this.i;
    while (NAME.test(this.src[this.i] ?? '')) this.i++;
    if (start === this.i) this.fail('expected a name');
    return this.src.slice(start, this.i);
  }

  private plugin(): Plugin {
    const line = this.pos().line;
    const name = this.name();
    this.ws();
    this.eat('{');
    const attributes: Attribute[] = [];
    for (;;) {
      this.ws();
      if (this.peek('}')) break;
      const aline = this.pos().line;
      const an = this.name();
      this.ws();
      this.eat('=>');
      this.ws();
      attributes.push({ name: an, value: this.value(), line: aline });
    }
    this.eat('}');
    return { kind: 'plugin', name, attributes, line };
  }

  /** `[ item, item … ]` (possibly empty) with the cursor on the `[`. */
  private bracketList<T>(item: () => T): T[] {
    this.i++;
    const items: T[] = [];
    this.ws();
    if (!this.peek(']')) {
      for (;;) {
        items.push(item());
        this.ws();
        if (!this.peek(',')) break;
        this.i++;
        this.ws();
      }
    }
    this.eat(']');
    return items;
  }

  private value(): Value {
    const c = this.src[this.i];
    if (c === '"' || c === "'") return this.string();
    if (c === '[') return { kind: 'array', items: this.bracketList(() => this.value()) };
    if (c === '{') return this.hash();
    if (c !== undefined && /[-0-9]/.test(c)) return { kind: 'number', value: this.number() };
    if (c !== undefined && BAREWORD_START.test(c)) {
      // A bareword, or a plugin used as a value (codec => json { ... }).
      const start = this.i;
      while (BAREWORD.test(this.src[this.i] ?? '')) this.i++;
      const word = this.src.slice(start, this.i);
      const after = this.i;
      this.ws();
      if (this.peek('{')) {
        this.i = start;
        return { kind: 'plugin', plugin: this.plugin() };
      }
      this.i = after;
      return { kind: 'bareword', value: word };
    }
    return this.fail('expected a value (string, number, bareword, array, hash or plugin)');
  }

  private hash(): Value {
    this.eat('{');
    const entries: Array<{ key: string; value: Value }> = [];
    for (;;) {
      this.ws();
      if (this.peek('}')) break;
      const c = this.src[this.i];
      let key: string;
      if (c === '"' || c === "'") key = this.string().value;
      else if (c !== undefined && /[-0-9]/.test(c)) key = String(this.number());
      else {
        const start = this.i;
        while (BAREWORD.test(this.src[this.i] ?? '')) this.i++;
        if (start === this.i) this.fail('expected a hash key');
        key = this.src.slice(start, this.i);
      }
      this.ws();
      this.eat('=>');
      this.ws();
      entries.push({ key, value: this.value() });
    }
    this.eat('}');
    return { kind: 'hash', entries };
  }

  private number(): number {
    const m = /^-?[0-9]+(\.[0-9]*)?/.exec(this.src.slice(this.i));
    if (!m) this.fail('expected a number');
    this.i += m[0].length;
    return Number(m[0]);
  }

  /** A quoted string; Logstash keeps backslash escapes as written except for the quote itself. */
  private string(): { kind: 'string'; value: string; quote: '"' | "'" } {
    const q = this.src[this.i] as '"' | "'";
    const start = this.i;
    this.i++;
    let out = '';
    for (;;) {
      const c = this.src[this.i];
      if (c === undefined) this.fail('unterminated string', start);
      if (c === '\\' && this.src[this.i + 1] === q) {
        out += q;
        this.i += 2;
        continue;
      }
      if (c === '\\' && this.src[this.i + 1] !== undefined) {
        out += c + this.src[this.i + 1];
        this.i += 2;
        continue;
      }
      this.i++;
      if (c === q) return { kind: 'string', value: out, quote: q };
      out += c;
    }
  }

  // ── conditions ──────────────────────────────────────────────────────────────────────────────────────────────

  private condition(): Condition {
    let left = this.expression();
    let firstOp: string | null = null;
    for (;;) {
      const save = this.i;
      this.ws();
      const op = (['and', 'or', 'xor', 'nand'] as const).find((k) => this.keyword(k));
      if (!op) {
        this.i = save;
        return left;
      }
      // Logstash gives and/or no precedence over each other; a mix without parentheses is ambiguous to a reader.
      if (firstOp !== null && firstOp !== op) this.fail(`mixing "${firstOp}" and "${op}" without parentheses`);
      firstOp = op;
      this.i += op.length;
      this.ws();
      left = { kind: 'bool', op, left, right: this.expression() };
    }
  }

  private expression(): Condition {
    if (this.peek('(')) {
      this.i++;
      this.ws();
      const c = this.condition();
      this.ws();
      this.eat(')');
      return c;
    }
    if (this.peek('!') && !this.peek('!=') && !this.peek('!~')) {
      this.i++;
      this.ws();
      if (this.peek('(')) return { kind: 'not', operand: this.expression() };
      return { kind: 'not', operand: { kind: 'truthy', value: this.selector() } };
    }
    const left = this.rvalue();
    const save = this.i;
    this.ws();
    if (this.keyword('in')) {
      this.i += 2;
      this.ws();
      return { kind: 'in', negate: false, left, right: this.rvalue() };
    }
    if (this.keyword('not')) {
      this.i += 3;
      this.ws();
      if (!this.keyword('in')) this.fail('expected "in" after "not"');
      this.i += 2;
      this.ws();
      return { kind: 'in', negate: true, left, right: this.rvalue() };
    }
    for (const op of ['==', '!=', '<=', '>=', '<', '>'] as const) {
      if (this.peek(op)) {
        this.i += op.length;
        this.ws();
        return { kind: 'compare', op, left, right: this.rvalue() };
      }
    }
    for (const op of ['=~', '!~'] as const) {
      if (this.peek(op)) {
        this.i += 2;
        this.ws();
        const r = this.rvalue();
        if (r.kind !== 'regexp' && r.kind !== 'string') this.fail(`${op} needs a /regexp/ or a string`);
        return { kind: 'match', negate: op === '!~', left, pattern: r.kind === 'regexp' ? r.source : r.value };
      }
    }
    this.i = save;
    return { kind: 'truthy', value: left };
  }

  private selector(): Rvalue {
    const path: string[] = [];
    while (this.peek('[')) {
      const start = this.i;
      this.i++;
      const from = this.i;
      while (this.i < this.src.length && !/[\][,]/.test(this.src[this.i]!)) this.i++;
      if (this.src[this.i] !== ']' || from === this.i) this.fail('bad field reference', start);
      path.push(this.src.slice(from, this.i));
      this.i++;
    }
    if (path.length === 0) this.fail('expected a field reference like [a][b]');
    return { kind: 'selector', path };
  }

  private rvalue(): Rvalue {
    const c = this.src[this.i];
    if (c === '"' || c === "'") return { kind: 'string', value: this.string().value };
    if (c === '/') {
      const start = this.i;
      this.i++;
      let out = '';
      for (;;) {
        const ch = this.src[this.i];
        if (ch === undefined || ch === '\n') this.fail('unterminated regexp', start);
        if (ch === '\\' && this.src[this.i + 1] === '/') {
          out += '/';
          this.i += 2;
          continue;
        }
        if (ch === '\\') {
          out += ch + (this.src[this.i + 1] ?? '');
          this.i += 2;
          continue;
        }
        this.i++;
        if (ch === '/') return { kind: 'regexp', source: out };
        out += ch;
      }
    }
    if (c === '[') {
      // An array literal (["a", "b"]) or a selector ([field][sub]).
      const save = this.i;
      this.i++;
      this.ws();
      const inner = this.src[this.i];
      this.i = save;
      if (inner === '"' || inner === "'" || inner === ']' || (inner !== undefined && /[-0-9]/.test(inner) && this.isArrayOfNumbers())) {
        return { kind: 'array', items: this.bracketList(() => this.rvalue()) };
      }
      return this.selector();
    }
    if (c !== undefined && /[-0-9]/.test(c)) return { kind: 'number', value: this.number() };
    return this.fail('expected a value in the condition (string, number, [field], array or /regexp/)');
  }

  private isArrayOfNumbers(): boolean {
    return /^\[\s*-?[0-9]+(\.[0-9]*)?\s*[,\]]/.test(this.src.slice(this.i));
  }
}

export function parsePipeline(text: string): PipelineConfig {
  return new Parser(text).config();
}

/** Every `${VAR}` / `${VAR:default}` reference in string values of a pipeline (Logstash's environment substitution). */
export const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;

export function attr(p: Plugin, name: string): Value | undefined {
  return p.attributes.find((a) => a.name === name)?.value;
}

/** All plugins in a statement list, depth first, with the branch nesting flattened. */
export function plugins(body: readonly Statement[]): Plugin[] {
  const out: Plugin[] = [];
  for (const s of body) {
    if (s.kind === 'plugin') out.push(s);
    else for (const c of s.cases) out.push(...plugins(c.body));
  }
  return out;
}
