/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/health.h: gRPC health checking (grpc.health.v1.Health/Check),
 * which every unit answers for its own services: what a load balancer or
 * Kubernetes' grpc probe asks. Answered by the kernel, in the section of
 * the call that asks, from the state of the unit's guests; public, and no
 * login needed. Lock held.
 */
#ifndef PG_KERNEL_HEALTH_H
#define PG_KERNEL_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "appstate.h"

#define PG_HEALTH_SERVICE "grpc.health.v1.Health"

/* Whether @p service (@p len bytes) is the health service. */
bool pg_health_is_service(const char *service, size_t len);

/* Answers @p method of the health service for request @p req: a gRPC
 * status; 0 with the HealthCheckResponse in @p out (*out_len bytes, at
 * most 2), or a status with @p why: NOT_FOUND for a service this unit
 * does not serve, UNIMPLEMENTED for Watch (a stream) and any other
 * method, INVALID_ARGUMENT for a malformed request. */
uint32_t pg_health_answer(pg_app *app, const char *method, size_t method_len,
                          const uint8_t *req, size_t req_len, uint8_t out[2],
                          size_t *out_len, char *why, size_t why_cap);

#endif /* PG_KERNEL_HEALTH_H */
