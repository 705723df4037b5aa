-- The wake hints of 0300 move into the code that writes layer rows
-- (scheduled_posts.wake_commands). As triggers they ran on every update of a row's status, read
-- the row's JSON several times, and made each status change three times as costly.
DROP TRIGGER scheduled_posts_wake_insert;
DROP TRIGGER scheduled_posts_wake_update;
