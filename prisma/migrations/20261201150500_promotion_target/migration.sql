-- #14 item 3: a canary promotes into one target (cluster, region) of an environment.
ALTER TABLE "promotion" ADD COLUMN     "target" TEXT;
