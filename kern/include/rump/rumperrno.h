/*
 * NetBSD's errno numbers, names and messages: the one errno space above the
 * host (DESIGN.md).  The kernel returns these, the host library translates
 * host errors into them, and the harness and the Lua binding show their
 * names.  The values are NetBSD's sys/errno.h; the list is the only place
 * they are written down.
 *
 * Freestanding: no includes, usable by the kernel and by host code alike.
 */
#ifndef _RUMP_RUMPERRNO_H_
#define _RUMP_RUMPERRNO_H_

/* X(name, number, message), in numeric order. */
#define RUMP_ERRNO_LIST(X) \
	X(EPERM,	 1, "Operation not permitted") \
	X(ENOENT,	 2, "No such file or directory") \
	X(ESRCH,	 3, "No such process") \
	X(EINTR,	 4, "Interrupted system call") \
	X(EIO,		 5, "Input/output error") \
	X(ENXIO,	 6, "Device not configured") \
	X(E2BIG,	 7, "Argument list too long") \
	X(ENOEXEC,	 8, "Exec format error") \
	X(EBADF,	 9, "Bad file descriptor") \
	X(ECHILD,	10, "No child processes") \
	X(EDEADLK,	11, "Resource deadlock avoided") \
	X(ENOMEM,	12, "Cannot allocate memory") \
	X(EACCES,	13, "Permission denied") \
	X(EFAULT,	14, "Bad address") \
	X(ENOTBLK,	15, "Block device required") \
	X(EBUSY,	16, "Device busy") \
	X(EEXIST,	17, "File exists") \
	X(EXDEV,	18, "Cross-device link") \
	X(ENODEV,	19, "Operation not supported by device") \
	X(ENOTDIR,	20, "Not a directory") \
	X(EISDIR,	21, "Is a directory") \
	X(EINVAL,	22, "Invalid argument") \
	X(ENFILE,	23, "Too many open files in system") \
	X(EMFILE,	24, "Too many open files") \
	X(ENOTTY,	25, "Inappropriate ioctl for device") \
	X(ETXTBSY,	26, "Text file busy") \
	X(EFBIG,	27, "File too large") \
	X(ENOSPC,	28, "No space left on device") \
	X(ESPIPE,	29, "Illegal seek") \
	X(EROFS,	30, "Read-only file system") \
	X(EMLINK,	31, "Too many links") \
	X(EPIPE,	32, "Broken pipe") \
	X(EDOM,		33, "Numerical argument out of domain") \
	X(ERANGE,	34, "Result too large or too small") \
	X(EAGAIN,	35, "Resource temporarily unavailable") \
	X(EINPROGRESS,	36, "Operation now in progress") \
	X(EALREADY,	37, "Operation already in progress") \
	X(ENOTSOCK,	38, "Socket operation on non-socket") \
	X(EDESTADDRREQ,	39, "Destination address required") \
	X(EMSGSIZE,	40, "Message too long") \
	X(EPROTOTYPE,	41, "Protocol wrong type for socket") \
	X(ENOPROTOOPT,	42, "Protocol option not available") \
	X(EPROTONOSUPPORT, 43, "Protocol not supported") \
	X(ESOCKTNOSUPPORT, 44, "Socket type not supported") \
	X(EOPNOTSUPP,	45, "Operation not supported") \
	X(EPFNOSUPPORT,	46, "Protocol family not supported") \
	X(EAFNOSUPPORT,	47, "Address family not supported by protocol family") \
	X(EADDRINUSE,	48, "Address already in use") \
	X(EADDRNOTAVAIL, 49, "Can't assign requested address") \
	X(ENETDOWN,	50, "Network is down") \
	X(ENETUNREACH,	51, "Network is unreachable") \
	X(ENETRESET,	52, "Network dropped connection on reset") \
	X(ECONNABORTED,	53, "Software caused connection abort") \
	X(ECONNRESET,	54, "Connection reset by peer") \
	X(ENOBUFS,	55, "No buffer space available") \
	X(EISCONN,	56, "Socket is already connected") \
	X(ENOTCONN,	57, "Socket is not connected") \
	X(ESHUTDOWN,	58, "Can't send after socket shutdown") \
	X(ETOOMANYREFS,	59, "Too many references: can't splice") \
	X(ETIMEDOUT,	60, "Operation timed out") \
	X(ECONNREFUSED,	61, "Connection refused") \
	X(ELOOP,	62, "Too many levels of symbolic links") \
	X(ENAMETOOLONG,	63, "File name too long") \
	X(EHOSTDOWN,	64, "Host is down") \
	X(EHOSTUNREACH,	65, "No route to host") \
	X(ENOTEMPTY,	66, "Directory not empty") \
	X(EPROCLIM,	67, "Too many processes") \
	X(EUSERS,	68, "Too many users") \
	X(EDQUOT,	69, "Disc quota exceeded") \
	X(ESTALE,	70, "Stale NFS file handle") \
	X(EREMOTE,	71, "Too many levels of remote in path") \
	X(EBADRPC,	72, "RPC struct is bad") \
	X(ERPCMISMATCH,	73, "RPC version wrong") \
	X(EPROGUNAVAIL,	74, "RPC prog. not avail") \
	X(EPROGMISMATCH, 75, "Program version wrong") \
	X(EPROCUNAVAIL,	76, "Bad procedure for program") \
	X(ENOLCK,	77, "No locks available") \
	X(ENOSYS,	78, "Function not implemented") \
	X(EFTYPE,	79, "Inappropriate file type or format") \
	X(EAUTH,	80, "Authentication error") \
	X(ENEEDAUTH,	81, "Need authenticator") \
	X(EIDRM,	82, "Identifier removed") \
	X(ENOMSG,	83, "No message of desired type") \
	X(EOVERFLOW,	84, "Value too large to be stored in data type") \
	X(EILSEQ,	85, "Illegal byte sequence") \
	X(ENOTSUP,	86, "Not supported") \
	X(ECANCELED,	87, "Operation canceled") \
	X(EBADMSG,	88, "Bad or Corrupt message") \
	X(ENODATA,	89, "No message available") \
	X(ENOSR,	90, "No STREAM resources") \
	X(ENOSTR,	91, "Not a STREAM") \
	X(ETIME,	92, "STREAM ioctl timeout") \
	X(ENOATTR,	93, "Attribute not found") \
	X(EMULTIHOP,	94, "Multihop attempted") \
	X(ENOLINK,	95, "Link has been severed") \
	X(EPROTO,	96, "Protocol error")

/* RUMP_EPERM, RUMP_ENOENT, ...: the numbers as constants. */
#define _RUMP_ERRNO_ENUM(name, num, msg)	RUMP_##name = num,
enum rump_errno {
	RUMP_ERRNO_LIST(_RUMP_ERRNO_ENUM)
	RUMP_ELAST = 96
};
#undef _RUMP_ERRNO_ENUM
#define RUMP_EWOULDBLOCK	RUMP_EAGAIN

/* "ENOENT" for 2; NULL for a number NetBSD does not have. */
static inline const char *
rump_errno_name(int e)
{
#define _RUMP_ERRNO_NAME(name, num, msg)	case num: return #name;
	switch (e) {
	RUMP_ERRNO_LIST(_RUMP_ERRNO_NAME)
	}
	return (void *)0;
#undef _RUMP_ERRNO_NAME
}

/* NetBSD's strerror() text for a number; NULL for an unknown one. */
static inline const char *
rump_errno_message(int e)
{
#define _RUMP_ERRNO_MSG(name, num, msg)	case num: return msg;
	switch (e) {
	RUMP_ERRNO_LIST(_RUMP_ERRNO_MSG)
	}
	return (void *)0;
#undef _RUMP_ERRNO_MSG
}

#endif /* _RUMP_RUMPERRNO_H_ */
