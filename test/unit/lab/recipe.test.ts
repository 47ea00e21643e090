import { describe, expect, it } from 'vitest';
import { LAB_RECIPE, debootstrapArgv, recipeHash } from '../../../src/lab/recipe.js';

describe('the rootfs recipe', () => {
  it('hashes to 16 hex digits, independent of package order', () => {
    const hash = recipeHash(LAB_RECIPE);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(recipeHash({ ...LAB_RECIPE, include: [...LAB_RECIPE.include].reverse() })).toBe(hash);
  });

  it('changes its hash when anything that shapes the image changes', () => {
    const hash = recipeHash(LAB_RECIPE);
    expect(recipeHash({ ...LAB_RECIPE, include: [...LAB_RECIPE.include, 'curl'] })).not.toBe(hash);
    expect(recipeHash({ ...LAB_RECIPE, suite: 'trixie' })).not.toBe(hash);
    expect(recipeHash({ ...LAB_RECIPE, customise: `${LAB_RECIPE.customise}\ntrue` })).not.toBe(hash);
  });

  it('bootstraps a minbase bookworm with what devices need', () => {
    const argv = debootstrapArgv(LAB_RECIPE, '/tmp/t', 'http://mirror.example/debian');
    expect(argv.slice(0, 2)).toEqual(['debootstrap', '--variant=minbase']);
    expect(argv.slice(-3)).toEqual(['bookworm', '/tmp/t', 'http://mirror.example/debian']);
    for (const pkg of ['systemd', 'openssh-server', 'sudo', 'nodejs', 'python3']) expect(argv[2]).toContain(pkg);
  });

  it('customises with policy-rc.d in place, removes host keys and empties machine-id', () => {
    const lines = LAB_RECIPE.customise.split('\n');
    expect(lines[0]).toBe('set -eu');
    expect(lines.findIndex((l) => l.includes('policy-rc.d'))).toBe(1);
    expect(lines.at(-1)).toBe('rm -f /usr/sbin/policy-rc.d');
    expect(LAB_RECIPE.customise).toContain('/etc/ssh/ssh_host_*');
    expect(LAB_RECIPE.customise).toContain(': > /etc/machine-id');
  });
});
