// Consumer group generations as a report draws them, from the group coordinators' group-stable events (each
// generation that reached Stable, with its members' assignments): per group, each generation a span from the
// moment it was stable to the next one's (or the end of the run), with its members and their partitions.
import type { GroupStableEvent } from '../sim/events/index.ts';

export interface GenerationSpan {
  groupId: string;
  generation: number;
  /** The coordinator that stored it. */
  coordinator: number;
  protocol: string;
  from: number;
  to: number;
  members: { memberId: string; partitions: number[] }[];
}

export interface GroupView {
  groups: string[];
  generations: GenerationSpan[];
}

/** The groups' generations, or undefined when no group reached Stable (no subscribing consumer). */
export function groupView(events: readonly GroupStableEvent[], endMs: number): GroupView | undefined {
  if (events.length === 0) return undefined;
  const last = new Map<string, GenerationSpan>();
  const generations: GenerationSpan[] = [];
  for (const e of [...events].sort((a, b) => a.time - b.time)) {
    const previous = last.get(e.groupId);
    // A coordinator that loaded the group again reports the same generation: one span.
    if (previous !== undefined && previous.generation === e.generationId) continue;
    if (previous !== undefined) previous.to = e.time;
    const span: GenerationSpan = {
      groupId: e.groupId,
      generation: e.generationId,
      coordinator: e.broker,
      protocol: e.protocol,
      from: e.time,
      to: endMs,
      members: e.members.map((m) => ({ memberId: m.memberId, partitions: [...m.partitions].sort((a, b) => a - b) })),
    };
    last.set(e.groupId, span);
    generations.push(span);
  }
  return { groups: [...last.keys()].sort(), generations };
}
