// Whether one IAM wildcard pattern (`*` any run, `?` one character) matches every string that
// another pattern matches. Used to spot redundant actions, resources and statements. The test
// is conservative: a `*` in the covered pattern is only covered by a `*`, so it never claims
// coverage that does not hold.

export function covers(general: string, specific: string, ignoreCase: boolean): boolean {
  const a = ignoreCase ? general.toLowerCase() : general;
  const b = ignoreCase ? specific.toLowerCase() : specific;
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const k = i * (b.length + 1) + j;
    const hit = memo.get(k);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === a.length) r = j === b.length;
    else if (a[i] === "*") r = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j === b.length) r = false;
    else if (a[i] === "?") r = b[j] !== "*" && go(i + 1, j + 1);
    else r = a[i] === b[j] && b[j] !== "*" && b[j] !== "?" && go(i + 1, j + 1);
    memo.set(k, r);
    return r;
  };
  return go(0, 0);
}
