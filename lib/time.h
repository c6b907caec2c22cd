/* Civil dates <-> seconds since 1970-01-01 UTC (proleptic Gregorian). */
#ifndef LIB_TIME_H
#define LIB_TIME_H

#include <stdint.h>

struct date_time {
	uint16_t year;
	uint8_t month, day, hour, min, sec;
	uint8_t wday;		/* 0 = Sunday; filled by date_from_unix */
};

uint64_t unix_from_date(const struct date_time *d);
void date_from_unix(uint64_t t, struct date_time *d);

#endif
