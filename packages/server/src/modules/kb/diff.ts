/** Line diff (LCS) between two versions of an item, for the versions view. */
export interface DiffLine {
  op: 'same' | 'add' | 'del';
  text: string;
}

function lines(s: string): string[] {
  return s.split('\n');
}

export function diffLines(before: string, after: string): DiffLine[] {
  const a = lines(before);
  const b = lines(after);
  // Trim the common prefix/suffix first (most edits are local), then LCS on the middle.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const out: DiffLine[] = a.slice(0, pre).map((text) => ({ op: 'same', text }));
  if (am.length * bm.length > 4_000_000) {
    // Too large for a table: show as replaced.
    for (const text of am) out.push({ op: 'del', text });
    for (const text of bm) out.push({ op: 'add', text });
  } else {
    const n = am.length;
    const m = bm.length;
    const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--) dp[i]![j] = am[i] === bm[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (am[i] === bm[j]) {
        out.push({ op: 'same', text: am[i]! });
        i++;
        j++;
      } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) out.push({ op: 'del', text: am[i++]! });
      else out.push({ op: 'add', text: bm[j++]! });
    }
    while (i < n) out.push({ op: 'del', text: am[i++]! });
    while (j < m) out.push({ op: 'add', text: bm[j++]! });
  }
  for (const text of a.slice(a.length - suf)) out.push({ op: 'same', text });
  return out;
}
