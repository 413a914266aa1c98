/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file error.h
 * @brief The one error space of parigot: every failure is a negative code.
 *
 * The list below is the only place a code is defined. The enum,
 * parigot_strerror() and parigot_err_name() are generated from it, so a name
 * and its message can never drift apart. Success is 0. Codes at or below
 * PARIGOT_EFATAL mean the object that returned them (a guest instance, a
 * connection) can only be destroyed; the kernel itself keeps running.
 * Thread-safe: the functions read only constant data.
 */
#ifndef PARIGOT_ERROR_H
#define PARIGOT_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief X-macro list of every error: XX(NAME, value, "message").
 */
#define PARIGOT_ERRNO_MAP(XX)                                                  \
  XX(EINVAL, -1, "invalid argument")                                           \
  XX(ENOMEM, -2, "out of memory")                                              \
  XX(ENOENT, -3, "no such file or directory")                                  \
  XX(EIO, -4, "input/output error")                                            \
  XX(ERANGE, -5, "value out of range")                                         \
  XX(ESYNTAX, -6, "syntax error")                                              \
  XX(EEXIST, -7, "already exists")                                             \
  XX(ENOTSUP, -8, "not supported")                                             \
  XX(ECANCELED, -9, "operation canceled")                                      \
  XX(ECALLBACK, -10, "callback failed")                                        \
  XX(EPERM, -11, "permission denied")                                          \
  XX(EFAULT, -12, "address outside the guest's memory")                        \
  XX(EACCES, -13, "no such user or wrong password")                            \
  XX(ENOTWASM, -20, "not a WebAssembly module")                                \
  XX(EBADMODULE, -21, "invalid WebAssembly module")                            \
  XX(EUNSUPPORTED, -22, "unsupported WebAssembly feature")                     \
  XX(EIMPORT, -23, "import not provided by the host")                          \
  XX(ENOCC, -24, "no C compiler found")                                        \
  XX(ECOMPILE, -25, "compiling the module failed")                             \
  XX(ECACHE, -26, "module cache entry is corrupt")                             \
  XX(ELOAD, -27, "loading the compiled module failed")                         \
  XX(EABI, -28, "guest built for another parigot ABI")                         \
  XX(ETRUNCATED, -40, "protobuf: message truncated")                           \
  XX(EVARINT, -41, "protobuf: malformed varint")                               \
  XX(ELENGTH, -42, "protobuf: length runs past the end of the input")          \
  XX(EWIRETYPE, -43, "protobuf: wrong or invalid wire type")                   \
  XX(EFIELD, -44, "protobuf: invalid field number")                            \
  XX(EDEPTH, -45, "protobuf: messages nested too deeply")                      \
  XX(ETOOBIG, -46, "protobuf: size beyond the configured maximum")             \
  XX(EUTF8, -47, "protobuf: string field is not valid UTF-8")                  \
  XX(ENOSPC, -48, "output buffer too small")                                   \
  XX(EFATAL, -900, "fatal error")                                              \
  XX(ETRAP, -901, "guest trapped")                                             \
  XX(EEXIT, -902, "guest exited")                                              \
  XX(EINTERRUPTED, -903, "guest interrupted")

/** @brief Error codes: 0 is success, every failure is negative. */
typedef enum parigot_errno {
  PARIGOT_OK = 0, /**< success */
/** @cond */
#define PARIGOT_ERRNO_ENUM(name, value, msg) PARIGOT_##name = (value),
  PARIGOT_ERRNO_MAP(PARIGOT_ERRNO_ENUM)
#undef PARIGOT_ERRNO_ENUM
  /** @endcond */
} parigot_errno;

/**
 * @brief Describe an error code in a few words.
 * @param[in] err  a code from #parigot_errno, or any other integer.
 * @return a static string; "unknown error" for a code not in the list.
 */
const char *parigot_strerror(int err);

/**
 * @brief The symbolic name of an error code, such as "PARIGOT_ENOMEM".
 * @param[in] err  a code from #parigot_errno, or any other integer.
 * @return a static string; "PARIGOT_UNKNOWN" for a code not in the list.
 */
const char *parigot_err_name(int err);

/**
 * @brief Whether an error means the object that returned it must be
 * destroyed.
 * @param[in] err  a code from #parigot_errno.
 * @return nonzero when @p err is at or below PARIGOT_EFATAL, else 0.
 */
int parigot_err_is_fatal(int err);

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_ERROR_H */
