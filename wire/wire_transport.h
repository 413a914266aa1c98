/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/wire_transport.h: the wire as the kernel's transport
 * (parigot/transport.h): a unit's calls over gRPC and Connect, through
 * pg_wire. What `parigot run --unit` and a built unit hand to the app.
 */
#ifndef PG_WIRE_TRANSPORT_H
#define PG_WIRE_TRANSPORT_H

#include "parigot/transport.h"

/* Opens a pg_wire per unit; not deterministic. Constant. */
extern const pg_transport_kind pg_wire_transport_kind;

#endif /* PG_WIRE_TRANSPORT_H */
