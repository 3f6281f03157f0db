/** The kinds that run containers: a directory deploys something when its build holds one. */
import type { KResource } from "./kustomize-resource";

export const WORKLOAD_KINDS = new Set([
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
  "Pod",
  "ReplicaSet",
  "ReplicationController",
  "Rollout",
  "HelmRelease",
  "DeploymentConfig",
]);

export function workloadsOf(resources: readonly KResource[]): KResource[] {
  return resources.filter((r) => WORKLOAD_KINDS.has(r.kind));
}
