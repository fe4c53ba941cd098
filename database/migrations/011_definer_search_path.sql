-- generations_record_ending (007) runs with its owner's rights (SECURITY DEFINER) whenever the API's
-- or the maintenance role ends a generation. 007 gave it `SET search_path FROM CURRENT`: whatever
-- path the migration happened to run with, "$user" first by default, so a schema named after the
-- migrating user (or any schema earlier in a changed path) could shadow push_subscriptions or
-- generation_events with objects of its own, run with the owner's rights. Pin the path to the
-- schema the tables live in, with pg_temp last so no temporary object can shadow them either.
ALTER FUNCTION generations_record_ending() SET search_path = public, pg_temp;
