// Errors a handler throws on purpose. Step Functions matches a Lambda failure by `error.name` (the saga's Catch and
// Retry), and the HTTP handlers map them to status codes, so each has a fixed name. No side effects: the checkout
// stack imports ERROR_NAMES for the saga's retry policies.

/** Every name a handler error can carry. */
export const ERROR_NAMES = {
  validation: "ValidationError",
  configuration: "ConfigurationError",
  orderNotFound: "OrderNotFound",
  invalidOrderTransition: "InvalidOrderTransition",
  outOfStock: "OutOfStock",
  /** The order's stock was reserved and released already: the saga for it was compensated. */
  reservationReleased: "ReservationReleased",
  /** Transient: another transaction touched the same stock items; retry. */
  inventoryLocked: "InventoryLocked",
  paymentDeclined: "PaymentDeclined",
  /** Transient: the payment provider did not answer; retry. */
  paymentProviderUnavailable: "PaymentProviderUnavailable",
} as const;

/** Errors a saga should retry: they say nothing about the order, only about the moment. */
export const TRANSIENT_ERROR_NAMES = [ERROR_NAMES.inventoryLocked, ERROR_NAMES.paymentProviderUnavailable] as const;

/** One problem with an input: where (`items[0].quantity`, `(root)` for the whole input) and what. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Input that does not match its schema. The message lists each field path; no stack trace reaches a response. */
export class ValidationError extends Error {
  constructor(
    /** What was being validated ("request body", "saga input", "SQS message body"). */
    readonly subject: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(`Invalid ${subject}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    this.name = ERROR_NAMES.validation;
  }
}

/** A required environment variable is missing or malformed: the function was deployed without its wiring. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = ERROR_NAMES.configuration;
  }
}

export class OrderNotFound extends Error {
  constructor(readonly orderId: string) {
    super(`Order ${orderId} does not exist.`);
    this.name = ERROR_NAMES.orderNotFound;
  }
}

/** A status change the order's current status forbids (confirming a cancelled order). */
export class InvalidOrderTransition extends Error {
  constructor(
    readonly orderId: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`Order ${orderId} is ${from} and cannot become ${to}.`);
    this.name = ERROR_NAMES.invalidOrderTransition;
  }
}

export class OutOfStock extends Error {
  constructor(
    readonly orderId: string,
    /** The SKUs without enough stock (or unknown). */
    readonly skus: readonly string[],
  ) {
    super(`Not enough stock for order ${orderId}: ${skus.join(", ")}.`);
    this.name = ERROR_NAMES.outOfStock;
  }
}

export class ReservationReleased extends Error {
  constructor(readonly orderId: string) {
    super(`The stock reservation of order ${orderId} was released; it cannot be reserved again.`);
    this.name = ERROR_NAMES.reservationReleased;
  }
}

export class InventoryLocked extends Error {
  constructor(readonly orderId: string) {
    super(`Stock for order ${orderId} is being changed by another transaction; retry.`);
    this.name = ERROR_NAMES.inventoryLocked;
  }
}

export class PaymentDeclined extends Error {
  constructor(
    readonly orderId: string,
    readonly reason: string,
  ) {
    super(`Payment for order ${orderId} was declined: ${reason}.`);
    this.name = ERROR_NAMES.paymentDeclined;
  }
}

export class PaymentProviderUnavailable extends Error {
  constructor(readonly orderId: string) {
    super(`The payment provider did not answer for order ${orderId}; retry.`);
    this.name = ERROR_NAMES.paymentProviderUnavailable;
  }
}
