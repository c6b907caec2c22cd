/* The guest's CMOS clock at 0x70/0x71. */
#ifndef CORE_RTC_H
#define CORE_RTC_H

#include "core/vdev.h"

void rtc_reset(void);
extern const struct vdev rtc_dev;

#endif
