// Compiling a check per shape once, for shapes that refer to themselves: while a shape's function is
// being built, asking for it again (a recursive member) gets a stand-in that calls the finished one.

export function memoized<F extends (...args: never[]) => unknown>(build: (key: string) => F): (key: string) => F {
  const cache = new Map<string, F>();
  return (key) => {
    let fn = cache.get(key);
    if (!fn) {
      cache.set(key, ((...args: Parameters<F>) => fn!(...args)) as F);
      fn = build(key);
      cache.set(key, fn);
    }
    return fn;
  };
}
