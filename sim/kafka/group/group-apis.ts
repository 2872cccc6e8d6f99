// KafkaApis' group handlers (handleJoinGroupRequest, handleSyncGroupRequest, handleHeartbeatRequest,
// handleLeaveGroupRequest, handleOffsetCommitRequest, handleTxnOffsetCommitRequest, handleOffsetFetchRequest, 3.9.0): a
// request to the group coordinator, its answer built when the coordinator calls back.
import type { GroupCoordinator } from './group-coordinator.ts';
import type { GroupRequest, GroupResponse } from './group-messages.ts';

export function handleGroupRequest(c: GroupCoordinator, req: GroupRequest, reply: (r: GroupResponse) => void): void {
  const correlationId = req.correlationId;
  switch (req.type) {
    case 'JoinGroup':
      return c.handleJoinGroup(req, (r) =>
        reply({
          type: 'JoinGroupResponse',
          correlationId,
          error: r.error,
          generationId: r.generationId,
          protocolName: r.protocolName,
          leaderId: r.leaderId,
          memberId: r.memberId,
          members: r.members,
        }),
      );
    case 'SyncGroup':
      return c.handleSyncGroup(req, (r) =>
        reply({ type: 'SyncGroupResponse', correlationId, error: r.error, assignment: r.assignment }),
      );
    case 'Heartbeat':
      return c.handleHeartbeat(req, (error) => reply({ type: 'HeartbeatResponse', correlationId, error }));
    case 'LeaveGroup':
      return c.handleLeaveGroup(req, (error) => reply({ type: 'LeaveGroupResponse', correlationId, error }));
    case 'OffsetCommit':
      return c.handleCommitOffsets(req, (partitions) =>
        reply({ type: 'OffsetCommitResponse', correlationId, partitions }),
      );
    case 'TxnOffsetCommit':
      return c.handleTxnCommitOffsets(req, (partitions) =>
        reply({ type: 'TxnOffsetCommitResponse', correlationId, partitions }),
      );
    case 'OffsetFetch':
      return c.handleFetchOffsets(req, (error, partitions) =>
        reply({ type: 'OffsetFetchResponse', correlationId, error, partitions }),
      );
  }
}
