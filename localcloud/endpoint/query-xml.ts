import { randomUUID } from "node:crypto";
import { escapeXml } from "./endpoint";

/** A value of a query protocol answer: text, a list (`<member>`s), a map (`<entry><key/><value/></entry>`s) or a structure. */
export type XmlValue = string | number | boolean | undefined | readonly XmlValue[] | XmlMap | { readonly [member: string]: XmlValue };

/** A string map, serialized as the query protocol serializes maps (SNS's `Attributes`). */
export class XmlMap {
  constructor(readonly entries: Readonly<Record<string, string>>) {}
}

/**
 * A query protocol (SNS, STS, CloudWatch) answer: `<ActionResponse xmlns><ActionResult>...</ActionResult>
 * <ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>`, lists as `<member>`s, maps as `<entry>`s,
 * undefined members left out.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#response-serialization
 */
export function queryResponse(xmlns: string, action: string, result: Readonly<Record<string, XmlValue>> | undefined): string {
  const body = result === undefined ? "" : `<${action}Result>${members(result)}</${action}Result>`;
  return `<${action}Response xmlns="${xmlns}">${body}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

function members(structure: Readonly<Record<string, XmlValue>>): string {
  return Object.entries(structure)
    .filter(([, v]) => v !== undefined)
    .map(([name, value]) => `<${name}>${serialize(value)}</${name}>`)
    .join("");
}

function serialize(value: XmlValue): string {
  if (value === undefined) return "";
  if (value instanceof XmlMap) return Object.entries(value.entries).map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${escapeXml(v)}</value></entry>`).join("");
  if (Array.isArray(value)) return (value as readonly XmlValue[]).map((v) => `<member>${serialize(v)}</member>`).join("");
  if (typeof value === "object") return members(value as Record<string, XmlValue>);
  return escapeXml(String(value));
}
