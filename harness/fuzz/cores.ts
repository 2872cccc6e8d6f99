// How many cores a fuzz may use: the CPUs this process may run on (os.availableParallelism, which reads
// the affinity mask), capped by a cgroup CPU quota. The cap is what containers get from `docker --cpus`,
// a Kubernetes CPU limit or a CI runner's slice, and Node 20's libuv (1.46) does not apply it: in a
// container limited to 2 CPUs on a 64-core node, availableParallelism() says 64, and a fuzz with that many
// workers would spend its quota switching between them. libuv 1.49 (Node 22) applies quotas; taking the
// smaller of the two stays right there as well.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Reads a file of the cgroup filesystem; undefined if it is missing or unreadable. */
export type ReadCgroupFile = (path: string) => string | undefined;

const CGROUP_ROOT = '/sys/fs/cgroup';

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The cores available to this process: the affinity mask's CPUs, capped by a cgroup CPU quota. */
export function usableCores(read: ReadCgroupFile = readOrUndefined, affinity = availableParallelism()): number {
  const quota = cgroupCpuQuota(read);
  return quota === undefined ? affinity : Math.max(1, Math.min(affinity, Math.floor(quota)));
}

/**
 * The CPU quota of this process's cgroup and its ancestors, in CPUs (quota / period, the smallest along
 * the path), or undefined when there is none or it cannot be read. cgroup v2 keeps it in cpu.max
 * ("200000 100000", or "max 100000" for none); v1 in cpu.cfs_quota_us (-1 for none) and cpu.cfs_period_us.
 */
export function cgroupCpuQuota(read: ReadCgroupFile): number | undefined {
  const membership = read('/proc/self/cgroup');
  if (membership === undefined) return undefined;
  let smallest: number | undefined;
  const consider = (cpus: number | undefined): void => {
    if (cpus !== undefined && (smallest === undefined || cpus < smallest)) smallest = cpus;
  };
  for (const line of membership.split('\n')) {
    // hierarchy-id:controllers:path; v2's single hierarchy is "0::/path".
    const [id, controllers, path] = splitCgroupLine(line);
    if (path === undefined) continue;
    if (id === '0' && controllers === '') {
      for (const dir of ancestors(CGROUP_ROOT, path)) consider(parseCpuMax(read(`${dir}/cpu.max`)));
    } else if (controllers.split(',').includes('cpu')) {
      // The v1 cpu controller is mounted as cpu or as cpu,cpuacct; in a container the mount's root is
      // the container's own cgroup, so the path from /proc/self/cgroup may not exist under it.
      for (const mount of [`${CGROUP_ROOT}/cpu`, `${CGROUP_ROOT}/cpu,cpuacct`]) {
        for (const dir of ancestors(mount, path)) {
          consider(parseCfsQuota(read(`${dir}/cpu.cfs_quota_us`), read(`${dir}/cpu.cfs_period_us`)));
        }
      }
    }
  }
  return smallest;
}

function splitCgroupLine(line: string): [string, string, string | undefined] {
  const first = line.indexOf(':');
  const second = line.indexOf(':', first + 1);
  if (first < 0 || second < 0) return ['', '', undefined];
  return [line.slice(0, first), line.slice(first + 1, second), line.slice(second + 1).trim()];
}

/** The directory of cgroup `path` under `mount`, then each parent up to the mount itself. */
function ancestors(mount: string, path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
  const dirs: string[] = [];
  for (let n = parts.length; n >= 0; n--) dirs.push([mount, ...parts.slice(0, n)].join('/'));
  return dirs;
}

/** cgroup v2's cpu.max: "<quota> <period>" in microseconds, or "max <period>". */
export function parseCpuMax(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === 'max') return undefined;
  return cpus(Number(quota), Number(period ?? 100000));
}

/** cgroup v1's cpu.cfs_quota_us (-1: no quota) and cpu.cfs_period_us. */
export function parseCfsQuota(quota: string | undefined, period: string | undefined): number | undefined {
  if (quota === undefined || period === undefined) return undefined;
  return cpus(Number(quota.trim()), Number(period.trim()));
}

function cpus(quota: number, period: number): number | undefined {
  return Number.isFinite(quota) && Number.isFinite(period) && quota > 0 && period > 0 ? quota / period : undefined;
}
