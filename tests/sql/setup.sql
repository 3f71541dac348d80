CREATE TEMPORARY VIEW people USING csv OPTIONS (path '${data}/people.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW depts USING csv OPTIONS (path '${data}/depts.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW orders USING csv OPTIONS (path '${data}/orders.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW empty (id INT, v STRING) USING csv OPTIONS (path '${data}/empty.csv', header 'true');
