// The cores a fuzz counts as its own (harness/fuzz/cores.ts): the affinity mask, capped by a cgroup CPU quota
// read from cgroup v2's cpu.max or v1's cpu.cfs_quota_us, along the process's cgroup and its ancestors.
import { describe, expect, it } from 'vitest';
import {
  cgroupCpuQuota,
  parseCfsQuota,
  parseCpuMax,
  usableCores,
  type ReadCgroupFile,
} from '../../harness/fuzz/cores.ts';

/** A cgroup filesystem made of the given files. */
function files(contents: Record<string, string>): ReadCgroupFile {
  return (path) => contents[path];
}

describe('usable cores', () => {
  it('is the affinity mask when there is no quota, or no cgroup to read', () => {
    expect(usableCores(files({}), 8)).toBe(8);
    expect(usableCores(files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': 'max 100000\n' }), 8)).toBe(8);
    expect(
      usableCores(
        files({
          '/proc/self/cgroup': '1:cpu:/\n',
          '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
          '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
        }),
        8,
      ),
    ).toBe(8);
  });

  it('takes a cgroup v2 quota, rounded down, at least one', () => {
    const v2 = (max: string): ReadCgroupFile =>
      files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': `${max}\n` });
    expect(usableCores(v2('200000 100000'), 64)).toBe(2);
    expect(usableCores(v2('250000 100000'), 64)).toBe(2);
    expect(usableCores(v2('50000 100000'), 64)).toBe(1);
    // The quota never raises the count above the CPUs the process may run on.
    expect(usableCores(v2('800000 100000'), 2)).toBe(2);
  });

  it('takes the smallest quota along the cgroup path (a pod limits its containers)', () => {
    const read = files({
      '/proc/self/cgroup': '0::/kubepods/pod1/ctr\n',
      '/sys/fs/cgroup/kubepods/pod1/ctr/cpu.max': 'max 100000',
      '/sys/fs/cgroup/kubepods/pod1/cpu.max': '300000 100000',
      '/sys/fs/cgroup/kubepods/cpu.max': '1600000 100000',
      '/sys/fs/cgroup/cpu.max': 'max 100000',
    });
    expect(cgroupCpuQuota(read)).toBe(3);
    expect(usableCores(read, 32)).toBe(3);
  });

  it('takes a cgroup v1 quota, under the path or at the mount (a container sees its own cgroup as the root)', () => {
    const hostPath = files({
      '/proc/self/cgroup': '9:pids:/docker/abc\n4:cpu,cpuacct:/docker/abc\n2:memory:/docker/abc\n',
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '300000',
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000',
    });
    expect(usableCores(hostPath, 16)).toBe(3);
    const containerRoot = files({
      '/proc/self/cgroup': '1:cpu:/docker/abc\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '100000',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000',
    });
    expect(usableCores(containerRoot, 16)).toBe(1);
    // Another controller's quota-like file is not the cpu controller's.
    expect(
      usableCores(
        files({
          '/proc/self/cgroup': '3:cpuset:/\n',
          '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '100000',
          '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000',
        }),
        16,
      ),
    ).toBe(16);
  });

  it('ignores what it cannot parse', () => {
    expect(parseCpuMax('max')).toBeUndefined();
    expect(parseCpuMax('lots 100000')).toBeUndefined();
    expect(parseCpuMax('0 100000')).toBeUndefined();
    expect(parseCpuMax('150000')).toBe(1.5);
    expect(parseCfsQuota('-1', '100000')).toBeUndefined();
    expect(parseCfsQuota('200000', '0')).toBeUndefined();
    expect(parseCfsQuota('200000', undefined)).toBeUndefined();
    expect(usableCores(files({ '/proc/self/cgroup': 'garbage\n\n::\n' }), 4)).toBe(4);
  });
});
