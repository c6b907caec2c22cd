/* Unit tests for core/cpuid.c: what the guest sees of the host's CPUID. */
#include "tests/unit/check.h"
#include "core/cpuid.h"

#include <stdint.h>

#define ECX_VMX		(1u << 5)
#define ECX_OSXSAVE	(1u << 27)
#define ECX_HYPERVISOR	(1u << 31)
#define CR4_OSXSAVE	(1ull << 18)

/* Leaf 1 of a Skylake client with OSXSAVE on in the host. */
static const struct cpuid_result host_leaf1 = {
	.eax = 0x000506e3, .ebx = 0x02100800,
	.ecx = 0x7ffafbbf, .edx = 0xbfebfbff,
};

static struct cpuid_result policy(uint32_t leaf, uint64_t cr4,
				  struct cpuid_result r)
{
	cpuid_policy(leaf, 0, cr4, &r);
	return r;
}

static void test_leaf1_hides_vmx(void)
{
	struct cpuid_result r = policy(1, 0, host_leaf1);

	CHECK_EQ(r.ecx & ECX_VMX, 0);
	CHECK_EQ(r.eax, host_leaf1.eax);	/* family/model untouched */
}

static void test_leaf1_hypervisor_bit(void)
{
	struct cpuid_result r = policy(1, 0, host_leaf1);

	CHECK(r.ecx & ECX_HYPERVISOR);
	r = policy(1, 0, (struct cpuid_result){ 0 });
	CHECK(r.ecx & ECX_HYPERVISOR);
}

static void test_leaf1_one_cpu(void)
{
	struct cpuid_result r = policy(1, 0, host_leaf1);

	/* one logical processor, APIC ID 0 */
	CHECK_EQ(r.ebx, 0x00010800);
}

static void test_osxsave_follows_guest_cr4(void)
{
	struct cpuid_result host_off = host_leaf1;

	host_off.ecx &= ~ECX_OSXSAVE;
	CHECK_EQ(policy(1, 0, host_leaf1).ecx & ECX_OSXSAVE, 0);
	CHECK(policy(1, CR4_OSXSAVE, host_leaf1).ecx & ECX_OSXSAVE);
	CHECK(policy(1, CR4_OSXSAVE, host_off).ecx & ECX_OSXSAVE);
	CHECK_EQ(policy(1, ~CR4_OSXSAVE, host_leaf1).ecx & ECX_OSXSAVE, 0);
}

static void test_hv_signature(void)
{
	struct cpuid_result junk = { 1, 2, 3, 4 };
	struct cpuid_result r = policy(0x40000000, 0, junk);
	char sig[13] = "";

	CHECK(r.eax >= 0x40000000);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	CHECK_STR(sig, "TandemHV");
	CHECK_EQ(r.edx, 0);	/* NUL padding after the 8 letters */
}

static void test_hv_leaves_zero(void)
{
	struct cpuid_result junk = { 1, 2, 3, 4 };
	struct cpuid_result r = policy(0x40000001, 0, junk);

	CHECK_EQ(r.eax, 0);
	CHECK_EQ(r.ebx, 0);
	CHECK_EQ(r.ecx, 0);
	CHECK_EQ(r.edx, 0);
	r = policy(0x400000ff, 0, junk);
	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
}

static void test_pmu_and_power_leaves_zero(void)
{
	struct cpuid_result junk = { 0x07300404, 2, 3, 0x603 };
	static const uint32_t leaves[] = { 5, 6, 0xa };

	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		struct cpuid_result r = policy(leaves[i], 0, junk);

		CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
}

static void test_other_leaves_untouched(void)
{
	struct cpuid_result junk = { 0x16, 0x756e6547, 0x6c65746e, 0x49656e69 };
	struct cpuid_result r = policy(0, 0, junk);

	CHECK(!memcmp(&r, &junk, sizeof(r)));
	r = policy(0x80000008, 0, junk);
	CHECK(!memcmp(&r, &junk, sizeof(r)));
}

static const struct tcase cases[] = {
	TCASE(leaf1_hides_vmx),
	TCASE(leaf1_hypervisor_bit),
	TCASE(leaf1_one_cpu),
	TCASE(osxsave_follows_guest_cr4),
	TCASE(hv_signature),
	TCASE(hv_leaves_zero),
	TCASE(pmu_and_power_leaves_zero),
	TCASE(other_leaves_untouched),
};

int main(int argc, char **argv)
{
	return RUN_CASES("cpuid", cases, argc, argv);
}
