type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N ? R : Tuple<T, N, [...R, T]>;

/** The first `n` elements of a fixture list as a tuple of defined values (throws when the list is shorter). */
export function pick<T, N extends number>(list: readonly T[], n: N): Tuple<T, N> {
  if (list.length < n) throw new Error(`fixture list has ${list.length} elements, wanted ${n}`);
  return list.slice(0, n) as Tuple<T, N>;
}
