import { createHash, randomBytes } from "node:crypto";

/** Temporary credentials, as Lambda and ECS hand a role's session to the code that runs as it. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** The role the credentials are a session of. */
  readonly roleArn: string;
}

/**
 * The local cloud's credential issuer: one session per role (a function's, the label worker task's), with an access
 * key id derived from the role (`ASIA` + 16 characters, the shape of STS session keys) and a secret and token made
 * fresh for each run. The endpoint tells who signed a request from its access key id.
 */
export class CredentialIssuer {
  private readonly byRole = new Map<string, LocalCredentials>();
  private readonly byKey = new Map<string, LocalCredentials>();

  /** The session for a role, issued on first use. */
  forRole(roleArn: string): LocalCredentials {
    let credentials = this.byRole.get(roleArn);
    if (!credentials) {
      const id = createHash("sha256").update(roleArn).digest("base64").replace(/[^A-Z0-9]/gi, "").toUpperCase().slice(0, 16);
      credentials = { accessKeyId: `ASIA${id}`, secretAccessKey: randomBytes(30).toString("base64"), sessionToken: randomBytes(64).toString("base64"), roleArn };
      this.byRole.set(roleArn, credentials);
      this.byKey.set(credentials.accessKeyId, credentials);
    }
    return credentials;
  }

  /** The credentials an access key id belongs to, if the local cloud issued it. */
  byAccessKey(accessKeyId: string | undefined): LocalCredentials | undefined {
    return accessKeyId ? this.byKey.get(accessKeyId) : undefined;
  }
}
