-- auth's one door for the notifications service: the address of an active member, looked up at send time.
-- It runs with its owner's rights (the migration owner), so the notifications role needs no right on auth's tables;
-- EXECUTE is granted per role by the roles step (scripts/db/roles.ts), and no one else may call it.
CREATE OR REPLACE FUNCTION "auth".member_mail_address(member uuid) RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$ SELECT email FROM "auth".credential WHERE member_id = member AND status = 'ACTIVE' $$;

REVOKE ALL ON FUNCTION "auth".member_mail_address(uuid) FROM PUBLIC;
