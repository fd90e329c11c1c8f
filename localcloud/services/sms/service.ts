import { randomUUID } from "node:crypto";
import { SMS_SIMULATOR_DESTINATIONS } from "./simulator";
import type { Activity } from "../../kernel/activity";
import type { FaultInjector } from "../../faults/fault-injector";
import { AwsError } from "../../kernel/aws-error";
import type { JsonService } from "../../endpoint/endpoint";
import type { GraphOriginationIdentity } from "./spec";
import type { OutboxDelivery, OutboxText, Outbox } from "../../kernel/outbox";
import { smsCountryOf, smsParts } from "../../kernel/usage";

import { smsErrors } from "./errors";

// AWS End User Messaging SMS (API pinpoint-sms-voice-v2, JSON 1.0, `X-Amz-Target: PinpointSMSVoiceV2.<Action>`):
// SendTextMessage, and the opt-out list actions that decide which numbers it refuses.
// https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_SendTextMessage.html
// Errors carry `Message` and a `Reason` (ValidationException, ConflictException) or the resource
// (ResourceNotFoundException: `ResourceType`, `ResourceId`), which the SDK turns into the exception's fields.

/** The request's pattern for a destination number (API_SendTextMessage: 1–20 characters). */
const PHONE_NUMBER_FIELD = /^\+?[1-9][0-9]{1,18}$/;
/** E.164: a plus, a country code, at most 15 digits in all. */
const E164 = /^\+[1-9][0-9]{1,14}$/;
/** MessageBody: 1 to 1600 characters (API_SendTextMessage). */
const MAX_BODY = 1600;

interface SendTextMessageInput {
  readonly DestinationPhoneNumber?: string;
  readonly OriginationIdentity?: string;
  readonly MessageBody?: string;
  readonly MessageType?: string;
  readonly Context?: Record<string, string>;
  readonly DryRun?: boolean;
}

/**
 * The local End User Messaging SMS service: sends only from an origination identity of the graph (the simulator
 * number the stacks request, or a number, pool or sender ID a role is granted SendTextMessage on), only to E.164
 * numbers, refuses numbers on the identity's opt-out list (ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT, as
 * AWS does unless the identity manages opt-outs itself), applies the SMS simulator's outcomes, and puts every
 * accepted text in the outbox. A number joins an opt-out list through PutOptedOutNumber, as with AWS (the CLI's
 * `aws pinpoint-sms-voice-v2 put-opted-out-number --endpoint-url <local endpoint>`). Not emulated: the SMS sandbox's
 * verified destinations, spend limits, carrier registration and delivery.
 */
export class SmsService implements JsonService {
  readonly contentType = "application/x-amz-json-1.0";
  /** Opted-out numbers by opt-out list name, with the time they opted out. */
  private readonly optOuts = new Map<string, Map<string, Date>>();

  constructor(
    private readonly identities: readonly GraphOriginationIdentity[],
    private readonly outbox: Outbox,
    private readonly activity: Activity,
    private readonly cloud: { readonly region: string; readonly account: string },
    /** The fault plan in force: it may throttle a send. */
    private readonly faults?: FaultInjector,
  ) {
    this.optOuts.set("Default", new Map());
    for (const identity of identities) if (!this.optOuts.has(identity.optOutListName)) this.optOuts.set(identity.optOutListName, new Map());
  }

  async call(action: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    switch (action) {
      case "SendTextMessage":
        return this.sendTextMessage(input as SendTextMessageInput);
      case "PutOptedOutNumber":
        return this.putOptedOutNumber(String(input.OptOutListName ?? ""), String(input.OptedOutNumber ?? ""));
      case "DeleteOptedOutNumber":
        return this.deleteOptedOutNumber(String(input.OptOutListName ?? ""), String(input.OptedOutNumber ?? ""));
      default:
        throw smsErrors.UnknownOperationException(`The local cloud does not serve PinpointSMSVoiceV2.${action}: it serves SendTextMessage, PutOptedOutNumber and DeleteOptedOutNumber.`);
    }
  }

  /** Adds a number to an opt-out list, as a STOP reply from the customer would. */
  optOut(number: string, list = "Default"): void {
    this.putOptedOutNumber(list, number);
  }

  private sendTextMessage(input: SendTextMessageInput): Record<string, unknown> {
    if (this.faults?.throttlesSending("sms", input)) {
      this.faults.count("sms-throttle");
      this.activity.record({ service: "sms", kind: "fault", name: this.identities[0]?.component ?? "sms", detail: "sms-throttle (fault injected): SendTextMessage answered ThrottlingException", error: true });
      // "An error that occurred because too many requests were sent during a certain amount of time" (400).
      // https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_SendTextMessage.html
      throw new AwsError("ThrottlingException", "Rate exceeded.", 400);
    }
    try {
      const text = this.send(input);
      return { MessageId: text.messageId };
    } catch (error) {
      if (error instanceof AwsError) {
        const reason = typeof error.fields.Reason === "string" ? ` ${error.fields.Reason}` : "";
        this.activity.record({ service: "sms", kind: "refused", name: this.identities[0]?.component ?? "sms", detail: `SendTextMessage refused: ${error.code}${reason}: ${error.message}`, error: true });
      }
      throw error;
    }
  }

  private send(input: SendTextMessageInput): OutboxText {
    const to = input.DestinationPhoneNumber;
    if (to === undefined || to === "") throw validation("MISSING_PARAMETER", "DestinationPhoneNumber is required.", "DestinationPhoneNumber");
    if (!PHONE_NUMBER_FIELD.test(to)) throw validation("FIELD_VALIDATION_FAILED", `DestinationPhoneNumber "${to}" does not match ${PHONE_NUMBER_FIELD.source}.`, "DestinationPhoneNumber");
    if (!E164.test(to)) throw validation("CANNOT_PARSE", `DestinationPhoneNumber "${to}" is not a phone number in E.164 format (+<country code><number>, 15 digits at most).`);
    const body = input.MessageBody;
    if (body === undefined || body === "") throw validation("MISSING_PARAMETER", "MessageBody is required.", "MessageBody");
    if (body.length > MAX_BODY) throw validation("FIELD_VALIDATION_FAILED", `MessageBody has ${body.length} characters; the most is ${MAX_BODY}.`, "MessageBody");
    if (input.MessageType !== undefined && input.MessageType !== "TRANSACTIONAL" && input.MessageType !== "PROMOTIONAL") {
      throw validation("FIELD_VALIDATION_FAILED", `MessageType must be TRANSACTIONAL or PROMOTIONAL, not "${input.MessageType}".`, "MessageType");
    }
    const identity = this.originationIdentity(input.OriginationIdentity);
    if (identity.simulator && !simulatorOutcome(to)) {
      // A simulator number texts only the simulator destination numbers of its own country (AWS offers US ones):
      // "If you try to send to a different country the message will fail" (test-phone-numbers.html). AWS names no
      // reason for a non-simulator number; the local cloud refuses both with the country reason.
      throw validation(
        "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY",
        `The simulator origination identity ${identity.arn} sends only to the SMS simulator's destination numbers (${Object.values(SMS_SIMULATOR_DESTINATIONS).join(", ")}), not to ${to}.`,
      );
    }
    if (!identity.selfManagedOptOuts && this.optOuts.get(identity.optOutListName)?.has(to)) {
      throw smsErrors.ConflictException(`The destination phone number ${to} is opted out (opt-out list ${identity.optOutListName}).`, {
        Message: `The destination phone number ${to} is opted out (opt-out list ${identity.optOutListName}).`,
        Reason: "DESTINATION_PHONE_NUMBER_OPTED_OUT",
        ResourceType: "opted-out-number",
        ResourceId: to,
      });
    }
    const delivery = deliveryOf(to);
    const message: Omit<OutboxText, "file"> = {
      kind: "sms",
      messageId: randomUUID(),
      time: new Date().toISOString(),
      originationIdentity: identity.arn,
      destinationPhoneNumber: to,
      messageBody: body,
      ...(input.MessageType ? { messageType: input.MessageType } : {}),
      context: { ...(input.Context ?? {}) },
      delivery,
    };
    const kept = this.outbox.add<OutboxText>(message, `${JSON.stringify(message, null, 2)}\n`, "json");
    // Billed per message part, at the destination country's price (https://aws.amazon.com/end-user-messaging/pricing/).
    this.activity.meter({ [`sms.messages.${smsCountryOf(to)}`]: smsParts(body) });
    this.activity.record({
      service: "sms",
      kind: "send",
      name: identity.component,
      detail: `text to ${to}: ${delivery.status} (${delivery.events.join(", ")}) → outbox/${kept.file.split("/").pop()}`,
      error: delivery.status === "failed",
    });
    return kept;
  }

  /**
   * The identity named by ARN, id or phone number. Without one, AWS picks among the account's identities: here the
   * graph's only one. A name the graph does not hold is ResourceNotFoundException.
   */
  private originationIdentity(name: string | undefined): GraphOriginationIdentity {
    if (name === undefined) {
      if (this.identities.length === 1) return this.identities[0];
      throw smsErrors.ConflictException("No origination identity was given and the account has no single one to choose.", { Reason: "NO_ORIGINATION_IDENTITIES_FOUND" });
    }
    const identity = this.identities.find((i) => i.names.includes(name));
    if (!identity) {
      const type = /:(phone-number|pool|sender-id)\//.exec(name)?.[1] ?? (name.startsWith("pool-") ? "pool" : "phone-number");
      throw smsErrors.ResourceNotFoundException(`Origination identity ${name} does not exist (the environment's: ${this.identities.map((i) => i.arn).join(", ") || "none"}).`, {
        ResourceType: type,
        ResourceId: name,
      });
    }
    return identity;
  }

  private putOptedOutNumber(listName: string, number: string): Record<string, unknown> {
    const list = this.optOutList(listName);
    if (!E164.test(number)) throw validation("FIELD_VALIDATION_FAILED", `OptedOutNumber "${number}" is not a phone number in E.164 format.`, "OptedOutNumber");
    const since = list.numbers.get(number) ?? new Date();
    list.numbers.set(number, since);
    this.activity.record({ service: "sms", kind: "opt-out", name: list.name, detail: `${number} opted out` });
    return this.optedOut(list.name, number, since);
  }

  private deleteOptedOutNumber(listName: string, number: string): Record<string, unknown> {
    const list = this.optOutList(listName);
    const since = list.numbers.get(number);
    if (!since) throw smsErrors.ResourceNotFoundException(`${number} is not on opt-out list ${list.name}.`, { ResourceType: "opted-out-number", ResourceId: number });
    list.numbers.delete(number);
    return this.optedOut(list.name, number, since);
  }

  private optOutList(nameOrArn: string): { name: string; numbers: Map<string, Date> } {
    const name = nameOrArn.replace(/^arn:aws[a-z-]*:sms-voice:[^:]*:[^:]*:opt-out-list\//, "");
    const numbers = this.optOuts.get(name);
    if (!numbers) throw smsErrors.ResourceNotFoundException(`Opt-out list ${nameOrArn} does not exist.`, { ResourceType: "opt-out-list", ResourceId: nameOrArn });
    return { name, numbers };
  }

  private optedOut(list: string, number: string, since: Date): Record<string, unknown> {
    return {
      OptOutListArn: `arn:aws:sms-voice:${this.cloud.region}:${this.cloud.account}:opt-out-list/${list}`,
      OptOutListName: list,
      OptedOutNumber: number,
      OptedOutTimestamp: since.getTime() / 1000,
      EndUserOptedOut: false,
    };
  }
}

function validation(reason: string, message: string, field?: string): AwsError {
  return smsErrors.ValidationException(message, {
    Message: message,
    Reason: reason,
    ...(field ? { Fields: [{ Name: field, Message: message }] } : {}),
  });
}

/** Which simulator destination a number is: success and failure events (test-phone-numbers.html). */
function simulatorOutcome(number: string): "success" | "failure" | undefined {
  return (Object.entries(SMS_SIMULATOR_DESTINATIONS) as [keyof typeof SMS_SIMULATOR_DESTINATIONS, string][]).find(([, n]) => n === number)?.[0];
}

/**
 * What becomes of an accepted text: the simulator's success number gets a delivered event, its failure number a
 * failure event (a delivery outcome, not an API error); other numbers are accepted and reach no phone.
 */
function deliveryOf(to: string): OutboxDelivery {
  switch (simulatorOutcome(to)) {
    case "success":
      return { status: "delivered", events: ["TEXT_SUCCESSFUL", "TEXT_DELIVERED"], detail: "delivered by the SMS simulator" };
    case "failure":
      // AWS documents a failure event without its type; TEXT_CARRIER_UNREACHABLE stands for it here.
      return { status: "failed", events: ["TEXT_SUCCESSFUL", "TEXT_CARRIER_UNREACHABLE"], detail: "the SMS simulator's failure number: a failure event, no delivery" };
    default:
      return { status: "accepted", events: ["TEXT_SUCCESSFUL"], detail: "accepted; the local cloud texts no real phone" };
  }
}
