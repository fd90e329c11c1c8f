import type { RequiredPermission } from "./service-iam";

/** The permissions without repeats, in their first order (a batch naming one resource twice needs it once). */
export function uniquePermissions(list: readonly RequiredPermission[]): RequiredPermission[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = `${p.action} ${p.resource}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
