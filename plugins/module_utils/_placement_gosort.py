# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada placement: Go's sort.Sort (pdqsort), for ties exactly where Go leaves them.

Karmada sorts TargetClustersList with sort.Sort, which is not stable; mirroring Go's
algorithm (Go >= 1.19, sort/zsortinterface.go) keeps the scheduler's order of equal
elements, which Aggregated division depends on.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class _GoSort(object):
    """Go's sort.Sort (pdqsort, Go >= 1.19) over a list with a less(x, y) function.

    Karmada sorts TargetClustersList with sort.Sort, which is not stable for
    more than 12 elements; equal elements end up where pdqsort puts them, and
    Aggregated keeps a prefix of that order.  Mirroring the algorithm keeps
    ties identical to the scheduler.
    """

    def __init__(self, data, less):
        self.d = data
        self.lt = less

    def less(self, i, j):
        return self.lt(self.d[i], self.d[j])

    def swap(self, i, j):
        self.d[i], self.d[j] = self.d[j], self.d[i]

    def sort(self):
        n = len(self.d)
        if n > 1:
            self.pdqsort(0, n, n.bit_length())
        return self.d

    def insertion(self, a, b):
        for i in range(a + 1, b):
            j = i
            while j > a and self.less(j, j - 1):
                self.swap(j, j - 1)
                j -= 1

    def sift_down(self, lo, hi, first):
        root = lo
        while True:
            child = 2 * root + 1
            if child >= hi:
                return
            if child + 1 < hi and self.less(first + child, first + child + 1):
                child += 1
            if not self.less(first + root, first + child):
                return
            self.swap(first + root, first + child)
            root = child

    def heap_sort(self, a, b):
        hi = b - a
        for i in range((hi - 1) // 2, -1, -1):
            self.sift_down(i, hi, a)
        for i in range(hi - 1, -1, -1):
            self.swap(a, a + i)
            self.sift_down(0, i, a)

    def pdqsort(self, a, b, limit):
        balanced, partitioned = True, True
        while True:
            length = b - a
            if length <= 12:
                self.insertion(a, b)
                return
            if limit == 0:
                self.heap_sort(a, b)
                return
            if not balanced:
                self.break_patterns(a, b)
                limit -= 1
            pivot, hint = self.choose_pivot(a, b)
            if hint == 2:
                self.reverse(a, b)
                pivot = (b - 1) - (pivot - a)
                hint = 1
            if balanced and partitioned and hint == 1 and self.partial_insertion(a, b):
                return
            if a > 0 and not self.less(a - 1, pivot):
                a = self.partition_equal(a, b, pivot)
                continue
            mid, partitioned = self.partition(a, b, pivot)
            left, right = mid - a, b - mid
            threshold = length // 8
            if left < right:
                balanced = left >= threshold
                self.pdqsort(a, mid, limit)
                a = mid + 1
            else:
                balanced = right >= threshold
                self.pdqsort(mid + 1, b, limit)
                b = mid

    def partition(self, a, b, pivot):
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while i <= j and self.less(i, a):
            i += 1
        while i <= j and not self.less(j, a):
            j -= 1
        if i > j:
            self.swap(j, a)
            return j, True
        self.swap(i, j)
        i += 1
        j -= 1
        while True:
            while i <= j and self.less(i, a):
                i += 1
            while i <= j and not self.less(j, a):
                j -= 1
            if i > j:
                break
            self.swap(i, j)
            i += 1
            j -= 1
        self.swap(j, a)
        return j, False

    def partition_equal(self, a, b, pivot):
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while True:
            while i <= j and not self.less(a, i):
                i += 1
            while i <= j and self.less(a, j):
                j -= 1
            if i > j:
                return i
            self.swap(i, j)
            i += 1
            j -= 1

    def partial_insertion(self, a, b):
        i = a + 1
        for dummy in range(5):
            while i < b and not self.less(i, i - 1):
                i += 1
            if i == b:
                return True
            if b - a < 50:
                return False
            self.swap(i, i - 1)
            if i - a >= 2:
                for j in range(i - 1, 0, -1):
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
            if b - i >= 2:
                for j in range(i + 1, b):
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
        return False

    def break_patterns(self, a, b):
        length = b - a
        if length >= 8:
            state = [length]

            def nxt():
                mask = 2 ** 64 - 1
                r = state[0]
                r ^= (r << 13) & mask
                r ^= r >> 7
                r ^= (r << 17) & mask
                state[0] = r
                return r
            modulus = 1 << length.bit_length()
            start = a + (length // 4) * 2 - 1
            for idx in range(start, start + 3):
                other = nxt() & (modulus - 1)
                if other >= length:
                    other -= length
                self.swap(idx, a + other)

    def choose_pivot(self, a, b):
        length = b - a
        swaps = [0]
        i, j, k = a + length // 4, a + length // 4 * 2, a + length // 4 * 3

        def median(x, y, z):
            if self.less(y, x):
                swaps[0] += 1
                x, y = y, x
            if self.less(z, y):
                swaps[0] += 1
                y, z = z, y
            if self.less(y, x):
                swaps[0] += 1
                x, y = y, x
            return y
        if length >= 8:
            if length >= 50:
                i = median(i - 1, i, i + 1)
                j = median(j - 1, j, j + 1)
                k = median(k - 1, k, k + 1)
            j = median(i, j, k)
        if swaps[0] == 0:
            return j, 1
        if swaps[0] == 12:
            return j, 2
        return j, 0

    def reverse(self, a, b):
        i, j = a, b - 1
        while i < j:
            self.swap(i, j)
            i += 1
            j -= 1


def go_sort(items, less):
    """Sort a copy of items exactly like Go's sort.Sort with the given less."""
    return _GoSort(list(items), less).sort()
