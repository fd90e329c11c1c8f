import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgumentError } from "./errors";
import { grant, type GranteeLike } from "./grant";
import { transform, type Transform } from "./transform";

export interface EmailSenderArgs {
  /**
   * The SES identity emails are sent from: a domain (`mail.example.com`), signed and verified with Easy DKIM once the
   * three CNAME records of `dkimRecords` are in its DNS zone; or one email address, verified when its owner follows
   * the link SES mails to it.
   */
  identity: string;
  /** The From address: `identity` itself when it is an address, or an address of the `identity` domain. */
  fromAddress: string;
  /**
   * The display name in From, e.g. `Orderflow`: 1 to 64 letters, digits, spaces and `. , ' & ( ) -`.
   * @default - The address alone.
   */
  fromName?: string;
  /**
   * The configuration set's name: 1 to 64 letters, digits, `_` and `-`, unique in the account and region.
   * @default - `<project>-<stack>-<name>`, other characters replaced by `-`.
   */
  configurationSetName?: string;
  /**
   * Deliver only over TLS: a receiving server that cannot do TLS does not get the email.
   * @default true
   */
  requireTls?: boolean;
  /** Changes the child resources before they are created. */
  transform?: {
    identity?: Transform<aws.sesv2.EmailIdentityArgs>;
    configurationSet?: Transform<aws.sesv2.ConfigurationSetArgs>;
  };
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ADDRESS = /^[^\s@"<>]+@([^\s@"<>]+)$/;
const DISPLAY_NAME = /^[A-Za-z0-9 .,'&()-]{1,64}$/;
const CONFIGURATION_SET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Sends email through SES v2: the sender identity (a domain with Easy DKIM, or an address) and a configuration set
 * every email goes through (TLS required, bounces and complaints suppressed, reputation metrics on). Functions get
 * `ses:SendEmail` on exactly the identity and the configuration set with `grantSendEmail`, and send with
 * `FromEmailAddress: sender.from` and `ConfigurationSetName: sender.configurationSetName`.
 *
 * @example
 * ```ts
 * const sender = new EmailSender("customerEmail", { identity: "mail.example.com", fromAddress: "orders@mail.example.com", fromName: "Orderflow" });
 * sender.grantSendEmail(sendEmail);
 * ```
 */
export class EmailSender extends pulumi.ComponentResource {
  /** The logical name; names the grant policies. */
  readonly name: string;
  /** The From header to send with: `"Name" <address>`, or the address alone. */
  readonly from: string;
  /** The ARN of the SES identity. */
  readonly identityArn: pulumi.Output<string>;
  /** The name of the configuration set, as SendEmail's `ConfigurationSetName` takes it. */
  readonly configurationSetName: pulumi.Output<string>;
  /** The ARN of the configuration set. */
  readonly configurationSetArn: pulumi.Output<string>;
  /** For a domain identity, the DNS records that verify it: `<token>._domainkey.<domain> CNAME <token>.dkim.amazonses.com`; none for an address. */
  readonly dkimRecords: pulumi.Output<string[]>;
  /** The raw resources this component created. */
  readonly nodes: { readonly identity: aws.sesv2.EmailIdentity; readonly configurationSet: aws.sesv2.ConfigurationSet };

  constructor(name: string, args: EmailSenderArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before super(): a sender that SES would refuse must not leave even its component behind.
    const domain = validate(`EmailSender "${name}"`, args);
    super("orderflow:messaging:EmailSender", name, {}, opts);

    const configurationSet = createConfigurationSet(this);
    const identity = createIdentity(this);

    this.name = name;
    this.from = args.fromName === undefined ? args.fromAddress : `"${args.fromName}" <${args.fromAddress}>`;
    this.identityArn = identity.arn;
    this.configurationSetName = configurationSet.configurationSetName;
    this.configurationSetArn = configurationSet.arn;
    this.dkimRecords = domain ? identity.dkimSigningAttributes.apply((dkim) => dkimRecords(domain, dkim?.tokens ?? [])) : pulumi.output([]);
    this.nodes = { identity, configurationSet };
    this.registerOutputs({ identityArn: this.identityArn, configurationSetArn: this.configurationSetArn, dkimRecords: this.dkimRecords });

    function createConfigurationSet(parent: EmailSender): aws.sesv2.ConfigurationSet {
      return new aws.sesv2.ConfigurationSet(
        ...transform(
          args.transform?.configurationSet,
          `${name}ConfigurationSet`,
          {
            configurationSetName: args.configurationSetName ?? defaultConfigurationSetName(name),
            deliveryOptions: { tlsPolicy: (args.requireTls ?? true) ? "REQUIRE" : "OPTIONAL" },
            reputationOptions: { reputationMetricsEnabled: true },
            sendingOptions: { sendingEnabled: true },
            // An address that bounced hard or complained is not mailed again: mailbox providers judge a sender by both.
            suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
          },
          { parent },
        ),
      );
    }

    function createIdentity(parent: EmailSender): aws.sesv2.EmailIdentity {
      return new aws.sesv2.EmailIdentity(
        ...transform(
          args.transform?.identity,
          `${name}Identity`,
          {
            emailIdentity: args.identity,
            // Sends that name no configuration set still go through this one (suppression, TLS, metrics).
            configurationSetName: configurationSet.configurationSetName,
            // Easy DKIM: SES generates the keys and rotates them; the next key is 2048-bit rather than 1024.
            dkimSigningAttributes: domain ? { nextSigningKeyLength: "RSA_2048_BIT" } : undefined,
          },
          { parent },
        ),
      );
    }
  }

  /**
   * Sends email from this identity through this configuration set: ses:SendEmail on the identity's ARN and the
   * configuration set's ARN, the two resource types SendEmail is authorized on here (identity, required, and
   * configuration-set; https://docs.aws.amazon.com/service-authorization/latest/reference/list_sesv2.html).
   */
  grantSendEmail(grantee: GranteeLike): aws.iam.RolePolicy {
    return grant(grantee, `sendEmail-${this.name}`, [{ actions: ["ses:SendEmail"], resources: [this.identityArn, this.configurationSetArn] }]);
  }
}

/** The domain of a domain identity, or undefined for an address identity; throws on anything SES would refuse. */
function validate(label: string, args: EmailSenderArgs): string | undefined {
  const identity = args.identity;
  const isAddress = ADDRESS.test(identity);
  if (!isAddress && !DOMAIN.test(identity)) {
    throw new ComponentArgumentError(label, `\`identity\` must be a domain such as "mail.example.com" or an email address, but "${identity}" was provided.`);
  }
  const fromDomain = ADDRESS.exec(args.fromAddress)?.[1];
  if (fromDomain === undefined) {
    throw new ComponentArgumentError(label, `\`fromAddress\` must be an email address, but "${args.fromAddress}" was provided.`);
  }
  // SES sends only from a verified identity, and the grant covers this identity only.
  const covered = isAddress ? args.fromAddress.toLowerCase() === identity.toLowerCase() : fromDomain.toLowerCase() === identity;
  if (!covered) {
    throw new ComponentArgumentError(
      label,
      `\`fromAddress\` "${args.fromAddress}" is not covered by the identity "${identity}": use ${isAddress ? "the identity's address itself" : `an address @${identity}`}, or change \`identity\`.`,
    );
  }
  if (args.fromName !== undefined && !DISPLAY_NAME.test(args.fromName)) {
    throw new ComponentArgumentError(label, `\`fromName\` must be 1 to 64 letters, digits, spaces and . , ' & ( ) -, but "${args.fromName}" was provided.`);
  }
  if (args.configurationSetName !== undefined && !CONFIGURATION_SET_NAME.test(args.configurationSetName)) {
    throw new ComponentArgumentError(label, `\`configurationSetName\` must be 1 to 64 letters, digits, "_" and "-", but "${args.configurationSetName}" was provided.`);
  }
  return isAddress ? undefined : identity;
}

// Configuration sets take no auto-name; project and stack keep two stacks of one account apart.
function defaultConfigurationSetName(name: string): string {
  return `${pulumi.getProject()}-${pulumi.getStack()}-${name}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64);
}

function dkimRecords(domain: string, tokens: readonly string[]): string[] {
  return tokens.map((token) => `${token}._domainkey.${domain} CNAME ${token}.dkim.amazonses.com`);
}
