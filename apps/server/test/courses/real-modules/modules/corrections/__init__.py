"""The exercise modules of a test course (apps/server/test/real-modules.test.ts)."""
