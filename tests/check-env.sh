# shellcheck shell=bash
# Where the long checks keep the kernel they build: one work dir shared
# by the build, boot and benchmark tests of one make check, outside
# every test's own scratch dir (.check/ is ignored by git).
CHECK_WORK=${DOM0KIT_CHECK_WORK:-$TOP/.check/work}
CHECK_OUT=$CHECK_WORK/../out
export CHECK_WORK CHECK_OUT
