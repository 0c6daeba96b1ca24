/** What a registry holds: a class with a static descriptor naming it. */
export interface Registrable {
  readonly name: string;
  readonly prototype: object;
  readonly descriptor: { readonly name: string };
}

/** A check of a class being registered: a problem in words, or undefined. */
export type RegistrationRule<C extends Registrable> = (registered: C) => string | undefined;

const NAME = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * The registry of one kind of plug-in class (payment providers, carriers): each registers once, before the app is
 * created, under its descriptor's name; the modules that use them read them from here. A name must be a name and may
 * be taken once (registering the same class again changes nothing); the kind adds its own rules and what registration
 * sets up (settings fields, environment variables).
 */
export class Registry<C extends Registrable> {
  private readonly registered = new Map<string, C>();

  constructor(
    /** What the registered classes are, in words, for the error: "Payment provider", "Carrier". */
    private readonly kind: string,
    private readonly rules: readonly RegistrationRule<C>[],
    private readonly onRegister: (registered: C) => void,
  ) {}

  register(registered: C): void {
    const { name } = registered.descriptor;
    const problem = !NAME.test(name)
      ? `name "${name}" must be lower-case letters, digits and _ (at most 32)`
      : this.registered.has(name) && this.registered.get(name) !== registered
        ? `the name "${name}" is taken`
        : this.rules.map((rule) => rule(registered)).find(Boolean);
    if (problem) throw new Error(`${this.kind} ${registered.name}: ${problem}`);
    this.registered.set(name, registered);
    this.onRegister(registered);
  }

  /** Every registered class, in registration order. */
  all(): C[] {
    return [...this.registered.values()];
  }
}

/** A rule: the descriptor declares `what` exactly when the class implements `method`. */
export const declaresExactlyWhenImplemented =
  <C extends Registrable>(what: string, declared: (registered: C) => boolean, method: string): RegistrationRule<C> =>
  (registered) =>
    declared(registered) !== (typeof (registered.prototype as Record<string, unknown>)[method] === 'function')
      ? `declares ${what} exactly when it implements ${method}`
      : undefined;
