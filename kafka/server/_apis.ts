// The APIs this broker speaks, by key, and ApiVersions, which lists them.

import {
  ApiVersionsRequest,
  ApiVersionsResponse,
} from "../protocol/_api_versions.ts";
import {
  FetchRequest,
  FetchResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
} from "../protocol/_fetch.ts";
import { MetadataRequest, MetadataResponse } from "../protocol/_metadata.ts";
import { ProduceRequest, ProduceResponse } from "../protocol/_produce.ts";
import type { Struct } from "../protocol/_schema.ts";
import {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  EndTxnRequest,
  EndTxnResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
} from "../protocol/_transactions.ts";
import {
  handleAddOffsetsToTxn,
  handleAddPartitionsToTxn,
  handleEndTxn,
  handleInitProducerId,
  handleTxnOffsetCommit,
} from "./_transactions_api.ts";
import {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  ListGroupsRequest,
  ListGroupsResponse,
} from "../protocol/_admin.ts";
import {
  handleCreatePartitions,
  handleCreateTopics,
  handleDeleteGroups,
  handleDeleteRecords,
  handleDeleteTopics,
  handleDescribeConfigs,
  handleDescribeGroups,
  handleListGroups,
} from "./_admin_api.ts";
import {
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from "../protocol/_group.ts";
import {
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
} from "../protocol/_offsets.ts";
import {
  handleFindCoordinator,
  handleHeartbeat,
  handleJoinGroup,
  handleLeaveGroup,
  handleSyncGroup,
} from "./_group_api.ts";
import { handleOffsetCommit, handleOffsetFetch } from "./_offsets_api.ts";
import type { Api } from "./_context.ts";
import { handleFetch, handleListOffsets } from "./_fetch_api.ts";
import { handleMetadata } from "./_metadata_api.ts";
import { handleProduce } from "./_produce_api.ts";

/** Every API, by key. */
export const APIS: Map<number, Api> = new Map();

function add(api: Api): void {
  APIS.set(api.request.apiKey, api);
}

/** The ApiVersions body: each API's version range. */
export function apiVersionsBody(errorCode: number): Struct {
  return {
    errorCode,
    apiKeys: [...APIS.values()]
      .map((a) => ({
        apiKey: a.request.apiKey,
        minVersion: a.request.minVersion,
        maxVersion: a.request.maxVersion,
      }))
      .sort((a, b) => a.apiKey - b.apiKey),
    throttleTimeMs: 0,
  };
}

add({
  request: ApiVersionsRequest,
  response: ApiVersionsResponse,
  handle: () => apiVersionsBody(0),
});
add({
  request: MetadataRequest,
  response: MetadataResponse,
  handle: handleMetadata,
});
add({
  request: ProduceRequest,
  response: ProduceResponse,
  handle: handleProduce,
});
add({ request: FetchRequest, response: FetchResponse, handle: handleFetch });
add({
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
  handle: handleListOffsets,
});
add({
  request: FindCoordinatorRequest,
  response: FindCoordinatorResponse,
  handle: handleFindCoordinator,
});
add({
  request: JoinGroupRequest,
  response: JoinGroupResponse,
  handle: handleJoinGroup,
});
add({
  request: SyncGroupRequest,
  response: SyncGroupResponse,
  handle: handleSyncGroup,
});
add({
  request: HeartbeatRequest,
  response: HeartbeatResponse,
  handle: handleHeartbeat,
});
add({
  request: LeaveGroupRequest,
  response: LeaveGroupResponse,
  handle: handleLeaveGroup,
});
add({
  request: OffsetCommitRequest,
  response: OffsetCommitResponse,
  handle: handleOffsetCommit,
});
add({
  request: OffsetFetchRequest,
  response: OffsetFetchResponse,
  handle: handleOffsetFetch,
});
add({
  request: CreateTopicsRequest,
  response: CreateTopicsResponse,
  handle: handleCreateTopics,
});
add({
  request: DeleteTopicsRequest,
  response: DeleteTopicsResponse,
  handle: handleDeleteTopics,
});
add({
  request: DeleteRecordsRequest,
  response: DeleteRecordsResponse,
  handle: handleDeleteRecords,
});
add({
  request: CreatePartitionsRequest,
  response: CreatePartitionsResponse,
  handle: handleCreatePartitions,
});
add({
  request: DescribeGroupsRequest,
  response: DescribeGroupsResponse,
  handle: handleDescribeGroups,
});
add({
  request: ListGroupsRequest,
  response: ListGroupsResponse,
  handle: handleListGroups,
});
add({
  request: DeleteGroupsRequest,
  response: DeleteGroupsResponse,
  handle: handleDeleteGroups,
});
add({
  request: DescribeConfigsRequest,
  response: DescribeConfigsResponse,
  handle: handleDescribeConfigs,
});
add({
  request: InitProducerIdRequest,
  response: InitProducerIdResponse,
  handle: handleInitProducerId,
});
add({
  request: AddPartitionsToTxnRequest,
  response: AddPartitionsToTxnResponse,
  handle: handleAddPartitionsToTxn,
});
add({
  request: AddOffsetsToTxnRequest,
  response: AddOffsetsToTxnResponse,
  handle: handleAddOffsetsToTxn,
});
add({
  request: TxnOffsetCommitRequest,
  response: TxnOffsetCommitResponse,
  handle: handleTxnOffsetCommit,
});
add({ request: EndTxnRequest, response: EndTxnResponse, handle: handleEndTxn });
