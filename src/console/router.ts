import { useEffect, useState } from "preact/hooks";

/**
 * Hash routes (`#/users/alice`): the server serves one page at `/`, and nothing a user opens
 * ever puts a secret in the URL (the key lives in sessionStorage, src/console/session.ts).
 */
export interface Route {
  readonly segments: readonly string[];
  readonly params: URLSearchParams;
}

function current(): Route {
  const [path = "", query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  return { segments: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const onChange = () => setRoute(current());
    addEventListener("hashchange", onChange);
    // Effects run after the first paint: a hash set in between (a click, a test's page.goto as
    // soon as the shell shows) fired its hashchange before anyone listened. Read it again now, or
    // the page stays on the route it first rendered (the live-list test's flake in loaded CI).
    onChange();
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** `href("users", name)` → `#/users/<name, encoded>`; params are appended as a query. */
export function href(...parts: (string | Record<string, string>)[]): string {
  const params = parts.find((p): p is Record<string, string> => typeof p === "object");
  const path = parts.filter((p): p is string => typeof p === "string").map(encodeURIComponent).join("/");
  const query = params ? `?${new URLSearchParams(params).toString()}` : "";
  return `#/${path}${query}`;
}

export function navigate(to: string): void {
  location.hash = to.replace(/^#/, "");
}
