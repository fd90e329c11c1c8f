import { AwsError } from "./aws-error";
import type { MessageAttributeValue } from "../services/sqs/md5";

/** How a service hands a payload to another (EventBridge to a target, SNS to a subscriber, Lambda to a destination). */
export interface DeliveryOptions {
  readonly traceId?: string;
  /** What is delivering, for the activity log (`rule orderConfirmedToShipping`). */
  readonly source: string;
  /** The principal that calls the target: a service principal (`events.amazonaws.com`) or a role ARN. */
  readonly principal: string;
  /** The resource on whose behalf the call is made (`aws:SourceArn`: the rule, the topic, the function). */
  readonly sourceArn?: string;
  readonly messageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
  readonly messageGroupId?: string;
}

/** Why a delivery failed, and whether the sender should try again. */
export interface DeliveryFailure {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** Delivers to any ARN the environment serves; resolves to the failure, or undefined when delivered. */
export interface Delivery {
  deliver(targetArn: string, payload: string, options: DeliveryOptions): Promise<DeliveryFailure | undefined>;
}

/** How a service receives a delivery to one of its resources (a queue's message, a function's event). */
export type Receiver = (arn: string, payload: string, options: DeliveryOptions) => void | Promise<void>;

/**
 * Routes a delivery by the target ARN's service (`arn:aws:<service>:...`) to the receiver that service registered;
 * an AwsError from the receiver becomes the failure EventBridge or SNS sees.
 */
export class DeliveryRouter implements Delivery {
  private readonly receivers = new Map<string, Receiver>();

  constructor(
    /** The receivers by ARN service (`sqs`, `lambda`...); more are added with receive(). */
    receivers: Readonly<Record<string, Receiver>>,
    /** Decides whether the delivering principal may call the target (IAM); resolves to the failure when it may not. */
    private readonly authorize?: (targetArn: string, options: DeliveryOptions) => Promise<DeliveryFailure | undefined>,
  ) {
    for (const [service, receiver] of Object.entries(receivers)) this.receivers.set(service, receiver);
  }

  /** Delivers to the service's ARNs through this receiver from now on. */
  receive(service: string, receiver: Receiver): void {
    this.receivers.set(service, receiver);
  }

  async deliver(targetArn: string, payload: string, options: DeliveryOptions): Promise<DeliveryFailure | undefined> {
    const service = targetArn.split(":")[2];
    const receiver = this.receivers.get(service);
    if (!receiver) return { code: "ResourceNotFoundException", message: `The local cloud does not deliver to ${service} (${targetArn}).`, retryable: false };
    const denied = await this.authorize?.(targetArn, options);
    if (denied) return denied;
    try {
      await receiver(targetArn, payload, options);
      return undefined;
    } catch (error) {
      if (error instanceof AwsError) {
        // Throttling and the target's own faults are worth another try; the caller's mistakes are not.
        const retryable = error.status === 429 || error.status >= 500 || /Throttl|TooManyRequests|ServiceUnavailable|InternalFailure/.test(error.code);
        return { code: error.code, message: error.message, retryable };
      }
      return { code: "InternalFailure", message: error instanceof Error ? error.message : String(error), retryable: true };
    }
  }
}
