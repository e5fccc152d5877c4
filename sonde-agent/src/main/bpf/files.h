/* SPDX-License-Identifier: GPL-2.0 */
/* The files probe's map layout, mirrored by FilesProbe.java. */
#ifndef FILES_H
#define FILES_H

/* opens per cgroup and result: err 0 for a success, else the errno */
struct open_key {
	__u64 cgroup_id;
	__u32 err;
	__u32 pad;
};

#endif
