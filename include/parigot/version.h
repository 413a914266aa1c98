/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file version.h
 * @brief The parigot version, as numbers and as a string.
 */
#ifndef PARIGOT_VERSION_H
#define PARIGOT_VERSION_H

#define PARIGOT_VERSION_MAJOR 0 /**< incompatible API changes */
#define PARIGOT_VERSION_MINOR 1 /**< compatible additions */
#define PARIGOT_VERSION_PATCH 0 /**< fixes */
/** @brief "MAJOR.MINOR.PATCH" */
#define PARIGOT_VERSION_STRING "0.1.0"

#endif /* PARIGOT_VERSION_H */
