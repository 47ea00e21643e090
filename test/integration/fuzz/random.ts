/**
 * A small seeded random source for the fuzz tests: the same seed gives the same inputs, so a failure seen
 * once is replayed by setting LANMCP_FUZZ_SEED. No dependency: mulberry32 is enough for test inputs.
 */
export interface Random {
  /** The seed this source started from (printed by failing tests). */
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A fresh source derived from this one (so one family's draws do not shift another's). */
  fork(label: string): Random;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const random: Random = {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    fork: (label) => createRandom((seed ^ hashLabel(label)) >>> 0),
  };
  return random;
}

function hashLabel(label: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16_777_619);
  return h >>> 0;
}

/** Campaign settings from the environment: LANMCP_FUZZ_SEED (default 20261126) and LANMCP_FUZZ_RUNS (a multiplier, default 1). */
export function fuzzSettings(env: NodeJS.ProcessEnv = process.env): { seed: number; scale: number } {
  const seed = env.LANMCP_FUZZ_SEED === undefined ? 20_261_126 : Number(env.LANMCP_FUZZ_SEED);
  const scale = env.LANMCP_FUZZ_RUNS === undefined ? 1 : Number(env.LANMCP_FUZZ_RUNS);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`LANMCP_FUZZ_SEED must be a non-negative integer (got ${env.LANMCP_FUZZ_SEED})`);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`LANMCP_FUZZ_RUNS must be a positive number (got ${env.LANMCP_FUZZ_RUNS})`);
  return { seed, scale };
}
