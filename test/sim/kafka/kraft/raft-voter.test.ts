// One KRaft voter (RaftClient) among two hand-driven peers: the test plays voters 3002 and 3003, sending their Vote
// and Fetch requests itself, so that each rule is met in exactly the state it is about. The voter under test, 3001,
// starts from a metadata log and quorum-state file written on its disk beforehand.
import { describe, expect, it } from 'vitest';
import { controllerNode, KRAFT_DEFAULTS, voterIds } from '../../../../sim/kafka/kraft/config.ts';
import { RaftHub } from '../../../../sim/kafka/kraft/observer.ts';
import { RaftClient } from '../../../../sim/kafka/kraft/raft.ts';
import { RaftLog, writeQuorumState } from '../../../../sim/kafka/kraft/raft-log.ts';
import type {
  MetadataFetchRequest,
  MetadataFetchResponse,
  RaftRequest,
  VoteRequest,
  VoteResponse,
} from '../../../../sim/kafka/kraft/raft-messages.ts';
import type { RaftEntry } from '../../../../sim/kafka/kraft/records.ts';
import type { KraftMessage } from '../../../../sim/kafka/kraft/rpc.ts';
import { isKraftMessage, KraftChannel } from '../../../../sim/kafka/kraft/rpc.ts';
import type { NodeContext } from '../../../../sim/world/index.ts';
import { World } from '../../../../sim/world/index.ts';

const [ME, PEER2, PEER3] = voterIds(3);

/** What the test's peers send the voter. */
type PeerRequest = Omit<VoteRequest, 'correlationId'> | Omit<MetadataFetchRequest, 'correlationId'>;

/** `count` entries of `epoch` from `offset` (their records do not matter here). */
const entries = (offset: number, count: number, epoch: number): RaftEntry[] =>
  Array.from({ length: count }, (_, i) => ({
    offset: offset + i,
    epoch,
    record: { type: 'LeaderChange', leaderId: ME, voters: [ME, PEER2, PEER3] },
  }));

interface QuorumOptions {
  /** ctl2 and ctl3 grant every vote 3001 asks for. */
  grantVotes?: boolean;
  /** KIP-996 (4.0 on): 3001 asks for pre-votes first, and answers them. */
  preVote?: boolean;
  /** The leader of `epoch` 3001's quorum-state file names (3001 starts as its follower), or -1. */
  leader?: number;
}

/**
 * Voter 3001 on node ctl1, started from `log` and quorum epoch `epoch` (no vote cast; a leader if `o.leader`);
 * ctl2 and ctl3 are the test's: they keep every message 3001 sends them in `inbox`, votes too unless `o.grantVotes`.
 */
function quorum(log: RaftEntry[], epoch: number, o: QuorumOptions = {}) {
  const grantVotes = o.grantVotes ?? false;
  const world = new World({ seed: 1 });
  const committed: number[] = [];
  const inbox: { to: string; msg: KraftMessage }[] = [];
  const peers = new Map<string, NodeContext>();
  let raft: RaftClient | null = null;
  world.addNode(controllerNode(ME), (ctx) => {
    const channel = new KraftChannel(ctx);
    const client = new RaftClient({
      ctx,
      voterId: ME,
      voters: [ME, PEER2, PEER3],
      config: KRAFT_DEFAULTS,
      preVote: o.preVote ?? true,
      channel,
      hub: new RaftHub(),
      nodeOf: controllerNode,
      onCommitted: (hw) => committed.push(hw),
      onLeaderReady: () => {},
      onRoleChange: () => {},
      onSnapshotLoaded: () => {},
    });
    raft = client;
    client.start();
    return {
      onMessage(from, msg) {
        if (!isKraftMessage(msg)) return;
        if (msg.type.endsWith('Response')) channel.complete(msg);
        else client.handleRequest(from, msg as RaftRequest);
      },
    };
  });
  for (const peer of [PEER2, PEER3]) {
    const node = controllerNode(peer);
    world.addNode(node, (ctx) => {
      peers.set(node, ctx);
      return {
        onMessage(from, msg) {
          if (!isKraftMessage(msg)) return;
          if (grantVotes && msg.type === 'Vote') {
            const vote = msg as VoteRequest;
            ctx.send(from, {
              type: 'VoteResponse',
              correlationId: vote.correlationId,
              error: 'NONE',
              leaderEpoch: vote.candidateEpoch,
              leaderId: -1,
              voteGranted: true,
              preVote: vote.preVote,
            } satisfies VoteResponse);
            return;
          }
          inbox.push({ to: node, msg });
        },
      };
    });
    world.start(node);
  }
  const disk = world.node(controllerNode(ME)).disk;
  new RaftLog(disk, true).append(log);
  writeQuorumState(disk, { leaderEpoch: epoch, leaderId: o.leader ?? -1, votedId: -1 });
  world.start(controllerNode(ME));
  const voter = (): RaftClient => raft as unknown as RaftClient;
  let correlationId = 1000;
  /** Peer `from` sends `request` to 3001; returns 3001's answer to it. */
  function ask<Res extends KraftMessage>(from: number, request: PeerRequest): Res {
    const id = ++correlationId;
    const node = controllerNode(from);
    (peers.get(node) as NodeContext).send(controllerNode(ME), { ...request, correlationId: id });
    const answered = () => inbox.some((m) => m.to === node && m.msg.correlationId === id);
    world.runUntil(answered, { maxEvents: 10_000 });
    const answer = inbox.find((m) => m.to === node && m.msg.correlationId === id);
    if (answer === undefined) throw new Error(`no answer from ${ME} to ${request.type}`);
    return answer.msg as Res;
  }
  const answeredFetches = new Set<number>();
  /**
   * The leader, ctl2, answers 3001's pending fetch with nothing new and high watermark `highWatermark`, and the
   * world runs until 3001 fetches again: 3001 has fetched from a live leader.
   */
  function answerFetch(highWatermark: number): void {
    const pending = () =>
      inbox.find(
        (m) =>
          m.to === controllerNode(PEER2) && m.msg.type === 'MetadataFetch' && !answeredFetches.has(m.msg.correlationId),
      );
    world.runUntil(() => pending() !== undefined, { maxEvents: 10_000 });
    const fetch = pending();
    if (fetch === undefined) throw new Error(`${ME} sent no fetch`);
    answeredFetches.add(fetch.msg.correlationId);
    (peers.get(controllerNode(PEER2)) as NodeContext).send(controllerNode(ME), {
      type: 'MetadataFetchResponse',
      correlationId: fetch.msg.correlationId,
      error: 'NONE',
      leaderEpoch: voter().epoch,
      leaderId: PEER2,
      highWatermark,
      entries: [],
      divergingEpoch: null,
      snapshotId: null,
    } satisfies MetadataFetchResponse);
    world.runUntil(() => pending() !== undefined, { maxEvents: 10_000 });
  }
  return { world, voter, committed, ask, answerFetch };
}

describe('KafkaRaftClient.handleVoteRequest: a vote only for a log at least as up to date', () => {
  // Kafka 3.9.0 KafkaRaftClient.handleVoteRequest grants a vote (quorum.canGrantVote) only if the candidate's
  // OffsetAndEpoch(lastOffset, lastOffsetEpoch) compares >= the voter's own log end: the last epoch first, the
  // offset only within the same epoch (OffsetAndEpoch.compareTo).
  const vote = (candidateId: number, candidateEpoch: number, lastOffsetEpoch: number, lastOffset: number) =>
    ({ type: 'Vote', candidateId, candidateEpoch, lastOffsetEpoch, lastOffset, preVote: false }) as const;

  it('refuses an older last epoch whatever its length, and a shorter log of the same epoch; grants the rest', () => {
    // Voter 3001 holds offsets 0-1 of epoch 1 and 2-4 of epoch 3: log end 5, last epoch 3.
    const q = quorum([...entries(0, 2, 1), ...entries(2, 3, 3)], 3);
    const granted = (from: number, req: PeerRequest) => q.ask<VoteResponse>(from, req).voteGranted;
    // A longer log whose last epoch is older: the entries beyond 3001's are not the ones epoch 3 wrote.
    expect(granted(PEER2, vote(PEER2, 4, 2, 9))).toBe(false);
    // The same last epoch but shorter.
    expect(granted(PEER2, vote(PEER2, 5, 3, 4))).toBe(false);
    expect(q.voter().votedId).toBe(-1);
    // As up to date: granted, and the vote is recorded.
    expect(granted(PEER3, vote(PEER3, 6, 3, 5))).toBe(true);
    expect(q.voter().votedId).toBe(PEER3);
    // A newer last epoch wins even with a shorter log.
    expect(granted(PEER2, vote(PEER2, 7, 4, 3))).toBe(true);
    expect([q.voter().epoch, q.voter().votedId]).toEqual([7, PEER2]);
  });
});

describe('KafkaRaftClient.handleVoteRequest: a voter whose leader is live', () => {
  // Voter 3001 holds offsets 0-1 of epoch 1 and 2-4 of epoch 3 (log end 5, last epoch 3) and follows 3002, the
  // leader of epoch 3, which has just answered its fetch: its leader is live. 3003 asks for its vote.
  const log = () => [...entries(0, 2, 1), ...entries(2, 3, 3)];
  const request = (candidateEpoch: number, lastOffset: number, preVote: boolean) =>
    ({ type: 'Vote', candidateId: PEER3, candidateEpoch, lastOffsetEpoch: 3, lastOffset, preVote }) as const;
  const following = (preVote: boolean) => {
    const q = quorum(log(), 3, { preVote, leader: PEER2 });
    q.answerFetch(5);
    expect([q.voter().role, q.voter().epoch, q.voter().leaderId]).toEqual(['follower', 3, PEER2]);
    return q;
  };
  const state = (q: ReturnType<typeof quorum>) => {
    const v = q.voter();
    return { role: v.role, epoch: v.epoch, leaderId: v.leaderId, votedId: v.votedId };
  };

  describe('3.9 (no Pre-Vote): a Vote of a newer epoch moves it to that epoch, and its log alone decides', () => {
    // Kafka 3.9.0 (and 3.4.0) KafkaRaftClient.handleVoteRequest: `if (candidateEpoch > quorum.epoch())
    // transitionToUnattached(candidateEpoch)`, whatever the state (FollowerState included: no check of the fetch
    // timeout), then quorum.canGrantVote(candidate, lastEpochEndOffsetAndEpoch.compareTo(endOffset()) >= 0), which
    // UnattachedState answers with the log comparison alone.
    it('steps down from its live leader and grants the vote to a log as up to date as its own', () => {
      const q = following(false);
      expect(q.ask<VoteResponse>(PEER3, request(4, 5, false))).toMatchObject({ voteGranted: true, leaderEpoch: 4 });
      expect(state(q)).toEqual({ role: 'unattached', epoch: 4, leaderId: -1, votedId: PEER3 });
    });

    it('steps down from its live leader all the same for a log behind its own, and refuses it', () => {
      const q = following(false);
      expect(q.ask<VoteResponse>(PEER3, request(4, 4, false))).toMatchObject({ voteGranted: false, leaderEpoch: 4 });
      expect(state(q)).toEqual({ role: 'unattached', epoch: 4, leaderId: -1, votedId: -1 });
    });
  });

  describe('4.x (KIP-996): it refuses a Pre-Vote while it follows its leader', () => {
    // Kafka 4.0.0 FollowerState.canGrantVote: a follower that has fetched from its leader since it began following
    // it refuses a Pre-Vote of its epoch (KIP-996, "Followers rejecting Pre-Vote Requests"), one that has not yet
    // grants it on the log (KafkaRaftClientPreVoteTest.testHandlePreVoteRequestAsFollowerWithElectedLeader). A
    // Pre-Vote changes nothing: the voter keeps its epoch and leader.
    it('refuses a Pre-Vote of its epoch, even from an up-to-date log, and keeps following', () => {
      const q = following(true);
      expect(q.ask<VoteResponse>(PEER3, request(3, 5, true))).toMatchObject({ voteGranted: false, leaderEpoch: 3 });
      expect(state(q)).toEqual({ role: 'follower', epoch: 3, leaderId: PEER2, votedId: -1 });
    });

    it('grants it on the log before its first fetch from the leader has been answered', () => {
      const q = quorum(log(), 3, { preVote: true, leader: PEER2 });
      expect(q.ask<VoteResponse>(PEER3, request(3, 5, true)).voteGranted).toBe(true);
      expect(q.ask<VoteResponse>(PEER3, request(3, 4, true)).voteGranted).toBe(false);
      expect(state(q)).toEqual({ role: 'follower', epoch: 3, leaderId: PEER2, votedId: -1 });
    });

    it('still moves to a newer epoch a Vote or Pre-Vote carries, as Kafka 4.0 does, and votes on the log', () => {
      // Kafka 4.0.0 handleVoteRequest keeps `if (replicaEpoch > quorum.epoch()) transitionToUnattached(...)` for
      // both kinds. KIP-996 protects the leader by never letting a voter cut off from the quorum reach a newer
      // epoch (it needs a majority of pre-votes first), not by refusing one.
      const q = following(true);
      expect(q.ask<VoteResponse>(PEER3, request(4, 5, true)).voteGranted).toBe(true);
      expect(state(q)).toEqual({ role: 'unattached', epoch: 4, leaderId: -1, votedId: -1 });
      expect(q.ask<VoteResponse>(PEER3, request(5, 5, false)).voteGranted).toBe(true);
      expect(state(q)).toEqual({ role: 'unattached', epoch: 5, leaderId: -1, votedId: PEER3 });
    });
  });
});

describe('LeaderState.maybeUpdateHighWatermark: a new leader commits nothing before an entry of its own epoch', () => {
  // Kafka 3.9.0 LeaderState.maybeUpdateHighWatermark moves the high watermark to the offset a majority holds only
  // when it is past epochStartOffset: "The leader must commit one record from its own epoch before it is allowed
  // to expose records from any previous epoch" (Raft's figure 8: an entry of an earlier epoch that a majority
  // holds may still be overwritten by another leader).
  it('does not commit the previous epoch’s entries by counting; its LeaderChange record commits them', () => {
    // Voter 3001 holds 5 entries of epoch 1 that its leader never committed, and wins epoch 2.
    const q = quorum(entries(0, 5, 1), 1, { grantVotes: true });
    q.world.runUntil(() => q.voter().isLeader(), { maxEvents: 100_000 });
    expect([q.voter().epoch, q.voter().log.endOffset]).toEqual([2, 6]);
    const fetch = (fetchOffset: number, lastFetchedEpoch: number) =>
      q.ask<MetadataFetchResponse>(PEER2, {
        type: 'MetadataFetch',
        replicaId: PEER2,
        currentLeaderEpoch: 2,
        fetchOffset,
        lastFetchedEpoch,
        maxWaitMs: 0,
      });
    // Voter 3002 holds the same 5 entries but not the LeaderChange record at offset 5: a majority holds 0-4.
    expect(fetch(5, 1).error).toBe('NONE');
    expect(q.voter().highWatermark).toBe(0);
    expect(q.committed).toEqual([]);
    expect(q.voter().leaderReady).toBe(false);
    // Once 3002 has the LeaderChange record too, everything up to it commits.
    expect(fetch(6, 2).highWatermark).toBe(6);
    expect(q.voter().highWatermark).toBe(6);
    expect(q.committed).toEqual([6]);
    expect(q.voter().leaderReady).toBe(true);
  });
});
